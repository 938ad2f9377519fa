/** What exists: the records every listing renders, and the locks they show. */
import { readProcShm } from '../kernel/procfs.js';
import { Errno, hasErrno } from '../model/errors.js';
import type { LockColumn, LockState } from '../model/lock-state.js';
import { isPosix, objectKey, type PosixRecord, type SegmentRecord, type ShmRecord } from '../model/record.js';
import { probeLock, readPosixLocks } from '../posix/lock.js';
import { hiddenProcesses } from '../kernel/processes.js';
import { listPosix } from '../posix/object.js';
import { lockOf, readLockStates } from '../sysv/lock-set.js';

/** Segments (default), POSIX objects, or both: the records every view renders. */
export function list(opts?: { kind?: 'sysv'; usage?: boolean }): SegmentRecord[];
export function list(opts: { kind: 'posix'; usage?: boolean }): PosixRecord[];
export function list(opts: { kind?: 'sysv' | 'posix' | 'all'; usage?: boolean }): ShmRecord[];
export function list(opts: { kind?: 'sysv' | 'posix' | 'all'; usage?: boolean } = {}): ShmRecord[] {
  const kind = opts.kind ?? 'sysv';
  return [...(kind === 'posix' ? [] : readProcShm()), ...(kind === 'sysv' ? [] : listPosix({ usage: opts.usage ?? true }))];
}

/**
 * The locks of what a listing shows, read once: the shmctl-ts lock sets of
 * segments (when `sysv`) and the flock/fcntl locks of objects (when `posix`;
 * an object with none is 'free'). A kind not asked for is null.
 */
export function lockStates(kinds: { sysv: boolean; posix: boolean }): (r: ShmRecord) => LockColumn {
  // Read on first use: a view that never shows a lock reads nothing.
  let sets: ReturnType<typeof readLockStates> | undefined;
  let files: ReturnType<typeof readPosixLocks> | undefined;
  let blind: boolean | undefined;
  return (r) => {
    if (isPosix(r)) return kinds.posix ? (objectLock(r, (files ??= readPosixLocks()), (blind ??= mayBeBlind()))?.state ?? 'unknown') : null;
    return kinds.sysv ? lockOf(r, (sets ??= readLockStates())) : null;
  };
}

/**
 * An object's lock: /proc/locks's entry, or — with none there — 'free' when
 * every process is seen, else (/proc/locks leaves out the locks of processes
 * not seen) what a non-blocking try shows; null when that cannot be made.
 */
function objectLock(r: PosixRecord, locks: Map<string, LockState>, blind: boolean): LockState | null {
  const listed = locks.get(objectKey(r));
  if (listed) return listed;
  return blind ? probeLock(r) : FREE;
}

/** May /proc/locks leave locks out? When some processes are not seen (hidepid hides none of its lines, but is counted too). */
const mayBeBlind = (): boolean => hiddenProcesses() !== null;

const FREE: LockState = { state: 'free', holders: 0, waiters: 0 };

/** Objects' flocks, /proc/locks read once (null: it cannot be known). */
export function objectLocks(): (r: PosixRecord) => LockState | null {
  const locks = readPosixLocks();
  const blind = mayBeBlind();
  return (r) => objectLock(r, locks, blind);
}

/** The state of a POSIX object's flock (null: a segment, or it cannot be known). */
export function objectLockState(r: ShmRecord): LockState | null {
  return isPosix(r) ? objectLock(r, readPosixLocks(), mayBeBlind()) : null;
}

/**
 * A segment's or object's record by stat, or — for a segment this user may
 * not read (IPC_STAT needs read permission) — its line in /proc/sysvipc/shm,
 * which lists every segment.
 */
export function recordOf(shm: { kind: 'sysv' | 'posix'; id: number | null; stat(opts: { usage: boolean }): ShmRecord }): ShmRecord {
  try {
    return shm.stat({ usage: false });
  } catch (e) {
    if (shm.kind !== 'sysv' || !hasErrno(e, Errno.EACCES)) throw e;
    const listed = readProcShm().find((r) => r.id === shm.id);
    if (!listed) throw e;
    return listed;
  }
}
