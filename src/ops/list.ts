/** What exists: the records every listing renders, and the locks they show. */
import type { LockColumn, LockState } from '../model/lock-state.js';
import type { PosixRecord, SegmentRecord, ShmRecord } from '../model/record.js';
import { listKinds, locksOf, type KindName } from './kinds.js';

/** Segments (default), POSIX objects, or both: the records every view renders. */
export function list(opts?: { kind?: 'sysv'; usage?: boolean }): SegmentRecord[];
export function list(opts: { kind: 'posix'; usage?: boolean }): PosixRecord[];
export function list(opts: { kind?: KindName | 'all'; usage?: boolean }): ShmRecord[];
export function list(opts: { kind?: KindName | 'all'; usage?: boolean } = {}): ShmRecord[] {
  return listKinds(opts.kind ?? 'sysv', opts.usage ?? true);
}

/**
 * The locks of what a listing shows, read once per kind: the shmctl-ts lock
 * sets of segments (when `sysv`) and the flock/fcntl locks of objects (when
 * `posix`; an object with none is 'free'). A kind not asked for is null.
 * Read on first use: a view that never shows a lock reads nothing.
 */
export function lockStates(kinds: Record<KindName, boolean> | KindName | 'all'): (r: ShmRecord) => LockColumn {
  const asked = typeof kinds === 'string' ? { sysv: kinds !== 'posix', posix: kinds !== 'sysv' } : kinds;
  const locks = locksOf(asked);
  return (r) => locks(r)?.column(r) ?? null;
}

/** The state of one's lock, holders and waiters (null: none, or it cannot be known). */
export function lockDetail(r: ShmRecord): LockState | null {
  return locksOf({ sysv: true, posix: true })(r)!.state(r);
}
