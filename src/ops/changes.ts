/**
 * `watch`: what changed between two looks at the namespace. Objects are
 * told apart by identity — a segment by its id, an object by its name, device
 * and inode (a name re-created is a remove and a create) — and compared field
 * by field: nattch (attach, detach; for objects, the processes mapping them),
 * size (resize), owner and group, mode. A segment removed while attached
 * (dest) is reported removed then; it is not reported again when its last
 * process detaches.
 */
import { kindOf } from '../model/kinds.js';
import type { KindChoice, ShmRecord } from '../model/record.js';
import { procShmReader } from '../kernel/proc-shm.js';
import { list } from './list.js';

type WatchEventType = 'create' | 'remove' | 'attach' | 'detach' | 'resize' | 'owner' | 'mode';

export interface WatchEvent {
  event: WatchEventType;
  record: ShmRecord;
  /** What changed: field → [before, after]. */
  changes: Record<string, [number, number]>;
}

export const identityOf = (r: ShmRecord): string => kindOf(r).identity(r);

const attachCount = (r: ShmRecord): number => kindOf(r).attachCount(r) ?? 0;
const going = (r: ShmRecord): boolean => kindOf(r).going(r);

export function indexRecords(records: ShmRecord[]): Map<string, ShmRecord> {
  const m = new Map<string, ShmRecord>();
  for (const r of records) m.set(identityOf(r), r);
  return m;
}

/** The events that lead from `before` to `after`, removals first, in listing order. */
export function changesBetween(before: Map<string, ShmRecord>, after: Map<string, ShmRecord>): WatchEvent[] {
  const events: WatchEvent[] = [];
  for (const [id, old] of before) {
    if (!after.has(id) && !going(old)) events.push({ event: 'remove', record: old, changes: {} });
  }
  for (const [id, now] of after) {
    const old = before.get(id);
    if (!old) {
      // one already removed (dest) when first seen is nothing new
      if (!going(now)) events.push({ event: 'create', record: now, changes: {} });
      continue;
    }
    if (going(now) && !going(old)) {
      events.push({ event: 'remove', record: now, changes: { nattch: [attachCount(old), attachCount(now)] } });
      continue;
    }
    const a = attachCount(old);
    const b = attachCount(now);
    if (b > a) events.push({ event: 'attach', record: now, changes: { nattch: [a, b] } });
    if (b < a) events.push({ event: 'detach', record: now, changes: { nattch: [a, b] } });
    if (now.size !== old.size) events.push({ event: 'resize', record: now, changes: { size: [old.size, now.size] } });
    if (now.uid !== old.uid || now.gid !== old.gid) {
      const changes: Record<string, [number, number]> = {};
      if (now.uid !== old.uid) changes.uid = [old.uid, now.uid];
      if (now.gid !== old.gid) changes.gid = [old.gid, now.gid];
      events.push({ event: 'owner', record: now, changes });
    }
    if ((now.mode & 0o777) !== (old.mode & 0o777))
      events.push({ event: 'mode', record: now, changes: { mode: [old.mode & 0o777, now.mode & 0o777] } });
  }
  return events;
}

/**
 * Looks at `kind` again and again (watch): each look's records, or null when the look can tell without listing that
 * nothing changed since the one before — System V segments whose list is byte for byte what it was.
 */
export function looker(kind: KindChoice, usage: boolean): () => ShmRecord[] | null {
  return kind === 'sysv' ? procShmReader() : () => list({ kind, usage });
}
