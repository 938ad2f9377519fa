/**
 * Choosing segments and objects: what ls's filters, gc and metrics share.
 * Every criterion given must hold. POSIX objects record no creator: their
 * owner stands in for `creator`, and `creatorDead` never selects one; `keys`,
 * `ids` select segments only, `name` objects only.
 */
import type { KindChoice } from '../model/record.js';
import { globMatcher } from './glob.js';
import { kindOf } from '../model/kinds.js';
import type { ShmRecord } from '../model/record.js';
import { creatorJudge, indexHolders, type HolderIndex } from './holders.js';

export interface Selection {
  keys?: number[];
  ids?: number[];
  owner?: number;
  creator?: number;
  /** Nothing attaches, maps or holds it open (System V: nattch 0, the kernel's own count). */
  unattached?: boolean;
  /** Its creator is gone, or its pid now belongs to a newer process. */
  creatorDead?: boolean;
  /** Its last change (ctime) is at least this many seconds ago. */
  olderThan?: number;
  /** POSIX objects whose name matches this pattern (see glob.ts). */
  name?: string;
}

/** Does the selection name anything at all? (gc refuses one that does not.) */
export function isEmptySelection(s: Selection): boolean {
  return (
    !s.keys?.length &&
    !s.ids?.length &&
    s.owner === undefined &&
    s.creator === undefined &&
    !s.unattached &&
    !s.creatorDead &&
    s.olderThan === undefined &&
    s.name === undefined
  );
}

/** Whether picking needs /proc's holders (objects' attachment): not for segments alone. */
export function selectionNeedsHolders(s: Selection, kind: KindChoice = 'all'): boolean {
  return s.unattached === true && kind !== 'sysv';
}

/**
 * The records the selection picks. `holders` is needed for `unattached` on
 * POSIX objects (one is made when not given); `now` is seconds since the epoch.
 */
export function select<R extends ShmRecord>(records: R[], s: Selection, opts: { holders?: HolderIndex; now?: number } = {}): R[] {
  // ls without filters: nothing to look at per row
  if (isEmptySelection(s)) return records;
  const byName = s.keys?.length || s.ids?.length || s.name !== undefined;
  const matchName = s.name === undefined ? null : globMatcher(s.name);
  const now = opts.now ?? Date.now() / 1000;
  let holders = opts.holders;
  const creator = s.creatorDead ? creatorJudge() : null;
  return records.filter((r) => {
    const kind = kindOf(r);
    if (byName) {
      // a kind without keys, ids or names is not picked by them
      const { key, id, name } = kind.names(r);
      if (s.keys?.length && (key === null || !s.keys.includes(key))) return false;
      if (s.ids?.length && (id === null || !s.ids.includes(id))) return false;
      if (matchName && (name === null || !matchName(name))) return false;
    }
    if (s.owner !== undefined && r.uid !== s.owner) return false;
    if (s.creator !== undefined && kind.madeBy(r) !== s.creator) return false;
    if (s.olderThan !== undefined && now - r.ctime < s.olderThan) return false;
    if (s.unattached) {
      // a segment's nattch is the kernel's count of every attachment; an object has only /proc to go by
      const nattch = kind.kernelAttachCount(r);
      if (nattch !== null ? nattch > 0 : (holders ??= indexHolders(records, { fds: true })).of(r).length) return false;
    }
    if (creator && creator(r) !== 'dead') return false;
    return true;
  });
}
