/** Which processes map each POSIX object: one pass over /proc/PID/maps, by device and inode. */
import { objectKey, type PosixRecord } from '../model/record.js';
import { scanHolds } from '../kernel/holds.js';
import { kindOf } from '../model/kinds.js';

/**
 * Fill in mappedBy (and unreadable) for these records: matching device and
 * inode finds an object even renamed or removed. Maps of other users'
 * processes are readable only with privilege; those are counted.
 */
export function addMappers(records: PosixRecord[]): void {
  if (!records.length) return;
  const { holds, unreadable } = scanHolds({ keys: new Set(records.map((r) => objectKey(r))), fds: false });
  for (const r of records)
    kindOf(r).noteMappers(
      r,
      (holds.get(objectKey(r)) ?? []).map((h) => h.pid),
      unreadable.length,
    );
}
