/**
 * shmctl-ts as a library: the API the README documents, and nothing else
 * (a test holds the two together, and another finds exports nobody uses).
 *
 *   import { Shm, list } from 'shmctl-ts';
 *   const shm = Shm.create({ key: 0x1234, size: 4096 });   // or { name: '/x' } for POSIX
 *   { using m = shm.attach(); m.buffer.write('hi'); }
 *
 * Everything it throws is a ShmctlError: ShmError (a system call failed:
 * syscall, errno, code such as 'EACCES'), OperationError (it cannot be done as
 * asked), LockTimeout, UsageError; each carries the CLI's exit status. A
 * mapping's Buffers are the memory itself; after detach() the mapping's
 * methods throw, and a Buffer kept past it reads zeros instead of faulting.
 */
// One segment or object, and listing them
export {
  isMissing,
  list,
  lockStates,
  Shm,
  type HandOff,
  type LockHandle,
  type LockOptions,
  type Mapping,
  type PosixCreateOptions,
  type RecordOf,
  type Region,
  type SetChange,
  type ShmCreateOptions,
  type ShmKind,
  type ShmTarget,
  type SysvCreateOptions,
  type SysvTarget,
} from './api/index.js';
export { IPC_PRIVATE, SHM_HUGETLB, SHM_NORESERVE, readShmLimits, readShmUsage } from './api/index.js';
// Leaks: who holds what, choosing, safe clean-up, ftok keys
export {
  decodeKey,
  describeHolders,
  planCleanup,
  removeAllListed,
  searchKey,
  select,
  findHeld,
  openHeld,
  shmemUsage,
  type HeldTarget,
  type CleanupPlan,
  type DecodedKey,
  type Kept,
  type KeySearch,
  type Removal,
  type Selection,
} from './api/index.js';
// The data model: records, locks, holders, limits, errors
export {
  formatKey,
  isPosix as isPosixRecord,
  isSegment as isSegmentRecord,
  isHeld as isHeldRecord,
  type HeldBy,
  type HeldKind,
  type HeldRecord,
  type PosixRecord,
  type SegmentRecord,
  type ShmRecord,
} from './model/record.js';
export type { LockMode, LockState } from './model/lock-state.js';
export type { HolderRecord, HolderReport, HoldHow } from './model/holder.js';
export type { ShmInfo, ShmLimits } from './model/usage.js';
export type { ShmemUsage, ShmemBucket, ShmemItem } from './model/shmem-usage.js';
export { Errno, errnoName, LockTimeout, OperationError, ShmctlError, ShmError, UsageError } from './model/errors.js';
