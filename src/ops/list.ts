/** What exists: the records every listing renders, and the locks they show. */
import type { LockColumn, LockState } from '../model/lock-state.js';
import type { HeldKind, HeldRecord, PosixRecord, SegmentRecord, ShmRecord } from '../model/record.js';
import { kindsOf, listKinds, locksOf, type KindChoice, type KindName } from './kinds.js';

/**
 * How a listing comes: 'name' sorts objects by name (segments keep the
 * kernel's order); 'system' keeps the order the system lists them in (the
 * kernel's table, /dev/shm's directory), as ipcs and lsipc show them.
 */
type ListOrder = 'name' | 'system';

interface ListOptions {
  usage?: boolean;
  order?: ListOrder;
}

/**
 * Segments (default), POSIX objects, both ('all'), the kinds seen through
 * their holders (memfds, removed files, shared anonymous memory: 'held', or
 * one of them), or 'every' kind: the records every view renders.
 */
export function list(opts?: { kind?: 'sysv' } & ListOptions): SegmentRecord[];
export function list(opts: { kind: 'posix' } & ListOptions): PosixRecord[];
export function list(opts: { kind: 'all' } & ListOptions): (SegmentRecord | PosixRecord)[];
export function list(opts: { kind: HeldKind | 'held' } & ListOptions): HeldRecord[];
export function list(opts: { kind?: KindChoice | readonly KindName[] } & ListOptions): ShmRecord[];
export function list(opts: { kind?: KindChoice | readonly KindName[] } & ListOptions = {}): ShmRecord[] {
  return listKinds(opts.kind ?? 'sysv', opts.usage ?? true, opts.order ?? 'name');
}

/**
 * The locks of what a listing shows, read once per kind: the shmctl-ts lock
 * sets of segments (when `sysv`) and the flock/fcntl locks of objects (when
 * `posix`; an object with none is 'free'). A kind not asked for is null.
 * Read on first use: a view that never shows a lock reads nothing.
 */
export function lockStates(kinds: Partial<Record<KindName, boolean>> | KindChoice): (r: ShmRecord) => LockColumn {
  const asked = typeof kinds !== 'string' ? kinds : Object.fromEntries(kindsOf(kinds).map((k) => [k, true]));
  const locks = locksOf(asked);
  return (r) => locks(r)?.column(r) ?? null;
}

/** The state of one's lock, holders and waiters (null: none, or it cannot be known). */
export function lockDetail(r: ShmRecord): LockState | null {
  return locksOf({ sysv: true, posix: true })(r)!.state(r);
}
