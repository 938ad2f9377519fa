/** What exists: the records every listing renders, and the locks they show. */
import { readProcShm } from './kernel/procfs.js';
import { Errno, hasErrno } from './model/errors.js';
import type { LockColumn, LockState } from './model/lock-state.js';
import { isPosix, objectKey, type PosixRecord, type SegmentRecord, type ShmRecord } from './model/record.js';
import { readPosixLocks } from './posix/lock.js';
import { listPosix } from './posix/object.js';
import { lockOf, readLockStates } from './sysv/lock-set.js';

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
  return (r) => {
    if (isPosix(r)) return kinds.posix ? ((files ??= readPosixLocks()).get(objectKey(r))?.state ?? 'free') : null;
    return kinds.sysv ? lockOf(r, (sets ??= readLockStates())) : null;
  };
}

/** The state of a POSIX object's flock, as /proc/locks shows it (null: free). */
export function objectLockState(r: ShmRecord): LockState | null {
  return isPosix(r) ? (readPosixLocks().get(objectKey(r)) ?? null) : null;
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
