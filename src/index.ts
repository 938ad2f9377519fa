/**
 * shmctl-ts as a library: the typed operations the CLI itself is built on.
 *
 *   import { createSegment, Attachment, statSegment, removeSegment } from 'shmctl-ts';
 *
 * Failures throw ShmError (with syscall, errno, code such as 'EACCES', subject
 * and reason), OperationError or UsageError. An Attachment's views share the
 * segment's memory: do not keep one past detach().
 */
export { Errno, errnoName, LockTimeout, OperationError, ShmError, UsageError } from './errors.js';
export { IPC_PRIVATE, SHM_HUGETLB, SHM_NORESERVE } from './libc.js';
export { readShmLimits, readShmUsage, type ShmLimits } from './limits.js';
export { readLockStates, removeLockFor, SegmentLock, type LockMode, type LockState } from './lock.js';
export { groupName, userName } from './names.js';
export { parseByteCount, parseId, parseKey, parseMode, parseSize } from './parse.js';
export { parseProcShm, readProcShm as listSegments } from './proc.js';
export { formatKey, isDest, isLocked, permsOf, statusOf, type SegmentRecord } from './record.js';
export {
  Attachment,
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
} from './shm.js';
