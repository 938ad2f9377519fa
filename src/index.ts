/**
 * shmctl-ts as a library: the typed API the CLI itself is built on.
 *
 *   import { Shm, list } from 'shmctl-ts';
 *   const shm = Shm.create({ key: 0x1234, size: 4096 });   // or { name: '/x' } for POSIX
 *   const m = shm.attach(); m.buffer.write('hi'); m.detach();
 *
 * Failures throw ShmError (with syscall, errno, code such as 'EACCES', subject
 * and reason), OperationError, LockTimeout or UsageError. A mapping's Buffers
 * are the memory itself; after detach() the mapping's methods throw, and a
 * Buffer kept past it reads zeros instead of faulting.
 */
export {
  isMissing,
  list,
  lockStates,
  objectLockState,
  Shm,
  type HandOff,
  type LockHandle,
  type LockOptions,
  type SetChange,
  type PosixCreateOptions,
  type RecordOf,
  type ShmCreateOptions,
  type ShmKind,
  type ShmTarget,
  type SysvCreateOptions,
  type SysvTarget,
} from './api/index.js';
export type { SharedMemory } from './memory/shared-memory.js';
// leaks: who holds what, choosing, safe clean-up, jobs that leave nothing, ftok keys
export {
  creatorState,
  decodeKey,
  describeHolders,
  indexHolders,
  isEmptySelection,
  JobWatch,
  planCleanup,
  recordOf,
  lastLook,
  removeAllListed,
  removeListed,
  searchKey,
  select,
  type CleanupPlan,
  type DecodedKey,
  type HolderIndex,
  type Kept,
  type KeySearch,
  type Reaped,
  type Selection,
} from './api/index.js';
export { nattchMismatch, type HolderRecord, type HolderReport, type HoldHow } from './model/holder.js';
export { parseDuration } from './model/parse.js';
export { globMatcher } from './ops/glob.js';
export type { LockColumn } from './model/lock-state.js';
export { Mapping } from './memory/mapping.js';
export type { Region } from './memory/region.js';
export { checkPosixName } from './posix/name.js';
export { listPosix, statPosix } from './posix/object.js';
export { PosixObject } from './posix/descriptor.js';
export { PosixMapping } from './posix/mapping.js';
export { PosixLock, readPosixLocks } from './posix/lock.js';
export { Errno, errnoName, LockTimeout, OperationError, ShmError, UsageError } from './model/errors.js';
export { IPC_PRIVATE, SHM_HUGETLB, SHM_NORESERVE } from './kernel/sysv.js';
export { readShmLimits, readShmUsage, type ShmLimits } from './diagnose/limits.js';
export { SegmentLock } from './sysv/lock.js';
export { readLockStates, removeLockFor } from './sysv/lock-set.js';
export type { LockMode, LockState } from './model/lock-state.js';
export { groupName, userName } from './kernel/names.js';
export { parseByteCount, parseId, parseKey, parseMode, parseSize } from './model/parse.js';
export { parseProcShm, readProcShm as listSegments } from './kernel/procfs.js';
export {
  formatKey,
  isDest,
  isLocked,
  isPosix as isPosixRecord,
  isSegment as isSegmentRecord,
  permsOf,
  statusOf,
  type PosixRecord,
  type SegmentRecord,
  type ShmRecord,
} from './model/record.js';
export { Attachment } from './sysv/attachment.js';
export {
  createRandomKeySegment,
  createSegment,
  findKey,
  keyFromPath,
  lockSegment,
  openKey,
  removeSegment,
  setSegment,
  statSegment,
  type CreateOptions,
  type CreateResult,
  type SetOptions,
} from './sysv/segment.js';
