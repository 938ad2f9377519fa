/**
 * JSON with real types: numbers for quantities and ids, booleans for flags,
 * null for what is unknown or unset. lsipc's lower-case column names where
 * lsipc has the column; keys and permissions stay in the notation everybody
 * reads them in (0x%08x, octal), since they are labels and bit sets.
 */
import type { NameLookup } from '../names.js';
import { formatKey, isDest, isLocked, permsOf, statusOf, type SegmentRecord } from '../record.js';

export interface SegmentJson {
  key: string;
  id: number;
  perms: string;
  owner: string | null;
  uid: number;
  group: string | null;
  gid: number;
  cuser: string | null;
  cuid: number;
  cgroup: string | null;
  cgid: number;
  size: number;
  nattch: number;
  status: string[];
  dest: boolean;
  locked: boolean;
  cpid: number;
  lpid: number;
  /** Seconds since the epoch, null when never. */
  attach: number | null;
  detach: number | null;
  ctime: number | null;
  rss: number | null;
  swap: number | null;
}

export function segmentJson(r: SegmentRecord, names: NameLookup): SegmentJson {
  return {
    key: formatKey(r.key),
    id: r.id,
    perms: '0' + permsOf(r).toString(8).padStart(3, '0'),
    owner: names.user(r.uid),
    uid: r.uid,
    group: names.group(r.gid),
    gid: r.gid,
    cuser: names.user(r.cuid),
    cuid: r.cuid,
    cgroup: names.group(r.cgid),
    cgid: r.cgid,
    size: r.size,
    nattch: r.nattch,
    status: statusOf(r),
    dest: isDest(r),
    locked: isLocked(r),
    cpid: r.cpid,
    lpid: r.lpid,
    attach: r.atime || null,
    detach: r.dtime || null,
    ctime: r.ctime || null,
    rss: r.rss,
    swap: r.swap,
  };
}

/** `ls --json`: lsipc's shape, {"sharedmemory": [...]}, even when empty. */
export function renderJsonList(records: readonly SegmentRecord[], names: NameLookup): string {
  return JSON.stringify({ sharedmemory: records.map((r) => segmentJson(r, names)) }, null, 2) + '\n';
}

/** `stat --json`: the one segment's object. */
export function renderJsonSegment(r: SegmentRecord, names: NameLookup): string {
  return JSON.stringify(segmentJson(r, names), null, 2) + '\n';
}
