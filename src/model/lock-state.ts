/** A lock's state, for both kinds: a segment's semaphore lock and an object's flock. */

export type LockMode = 'exclusive' | 'shared';

export interface LockState {
  state: 'free' | 'exclusive' | 'shared';
  /** Processes holding it (1 for exclusive). */
  holders: number;
  /** Processes waiting for it. */
  waiters: number;
}

/** What a listing's LOCK column shows: a lock's state, 'unknown' (not readable), 'untrusted' (made by another user), or null (none). */
export type LockColumn = LockState['state'] | 'unknown' | 'untrusted' | null;

/** "held shared by 3", "held exclusive": how messages say who has a lock. */
export function heldText(s: LockState): string {
  return `held ${s.state}${s.holders > 1 ? ` by ${s.holders}` : ''}`;
}
