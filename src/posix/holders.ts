/** Which processes map each POSIX object: one pass over /proc/PID/maps, by device and inode. */
import { objectKey, type PosixRecord } from '../model/record.js';
import { scanMaps } from '../kernel/procfs.js';

/**
 * Fill in mappedBy (and unreadable) for these records: matching device and
 * inode finds an object even renamed or removed. Maps of other users'
 * processes are readable only with privilege; those are counted.
 */
export function addMappers(records: PosixRecord[]): void {
  if (!records.length) return;
  const { pids, unreadable } = scanMaps(new Set(records.map((r) => objectKey(r))));
  for (const r of records) {
    r.mappedBy = pids.get(objectKey(r)) ?? [];
    r.unreadable = unreadable;
  }
}
