/**
 * PostgreSQL's leftovers after a crash. A postmaster's System V segment
 * starts with PGShmemHeader (PostgreSQL's src/include/storage/pg_shmem.h; on
 * 64-bit Linux: int32 magic 679834894 at 0, pid_t creatorPID at 4, Size
 * totalsize at 8, Size freeoffset at 16, uint32 dsm_control at 24). With POSIX
 * dynamic shared memory (dynamic_shared_memory_type = posix, the default on
 * Linux) the handle names the control object /PostgreSQL.<dsm_control>, whose
 * header (uint32 magic 0x9a503d32, nitems, maxitems) is followed by 40-byte
 * items (uint32 handle, uint32 refcnt, then sizes, a pointer and a flag): each
 * item in use (refcnt not 0) with an even handle is the object
 * /PostgreSQL.<handle>; odd handles are parts of the main area, no object.
 * A restarted postmaster finds its old objects through the old segment and
 * removes them; once the segment is gone, nothing would: gc removes them with
 * it, or keeps the segment and says why.
 */
import { readSync } from 'node:fs';
import { isSegment, type PosixRecord, type SegmentRecord, type ShmRecord } from '../model/record.js';
import { PosixObject } from '../posix/descriptor.js';
import { listPosix, statPosix } from '../posix/object.js';
import { Attachment } from '../sysv/attachment.js';
import { pageResident } from '../kernel/posix.js';

const PG_SHMEM_MAGIC = 679834894;
const DSM_CONTROL_MAGIC = 0x9a503d32;
const HEADER = 32;
const ITEM = 40;
/** Items read at most: PostgreSQL's maxitems is 64 + 5 × max_connections-ish; a few thousand is plenty. */
const MAX_ITEMS = 1 << 16;

export interface PostgresSegment {
  /** The postmaster that made it. */
  creatorPid: number;
  /** Its dynamic shared memory objects that are there: to go with it. */
  objects: PosixRecord[];
  /** Why it must be kept instead (its objects cannot be found or read), or null. */
  keep: string | null;
}

/** Are there objects named as PostgreSQL names its dynamic shared memory (/PostgreSQL.N)? */
export function postgresObjectsThere(): boolean {
  try {
    return listPosix({ usage: false }).some((r) => /^\/PostgreSQL\.\d+$/.test(r.name));
  } catch {
    return false;
  }
}

/**
 * Could `r` be PostgreSQL's main segment? Without reading it: a System V
 * segment (PostgreSQL makes its main shared memory so, and only its dynamic
 * shared memory as POSIX objects), big enough for the header, and something
 * written in it (its resident or swapped bytes).
 */
export function mayBePostgres(r: ShmRecord): r is SegmentRecord {
  return isSegment(r) && r.size >= HEADER && ((r.rss ?? 1) > 0 || (r.swap ?? 0) > 0);
}

/**
 * PostgreSQL's segment and its dynamic shared memory, or null when `seg` is
 * not one (or cannot be read). Reading attaches it read-only — which sets its
 * attach and detach times and last pid — and reads its first page only if it
 * is in memory (mincore): never a page faulted in, no memory allocated.
 */
export function postgresSegment(seg: ShmRecord): PostgresSegment | null {
  if (!mayBePostgres(seg)) return null;
  let header: Buffer;
  try {
    const a = Attachment.attach(seg.id, { readonly: true });
    try {
      if (!pageResident(a.address)) return null;
      header = Buffer.alloc(HEADER);
      a.readWindows(0, HEADER, HEADER, (data) => void data.copy(header));
    } finally {
      a.detach();
    }
  } catch {
    return null;
  }
  if (header.readInt32LE(0) !== PG_SHMEM_MAGIC) return null;
  const creatorPid = header.readInt32LE(4);
  const control = header.readUInt32LE(24);
  const found = { creatorPid, objects: [] as PosixRecord[], keep: null };
  if (control === 0) return found;
  const keep = (why: string): PostgresSegment => ({ creatorPid, objects: [], keep: `PostgreSQL's segment: ${why}` });
  const controlName = `/PostgreSQL.${control}`;
  let handles: number[] | null;
  try {
    const obj = PosixObject.open(controlName, { write: false });
    try {
      handles = itemsOf(obj.fd, obj.currentSize());
    } finally {
      obj.close();
    }
  } catch {
    return keep(
      `its dynamic shared memory control ${controlName} is not in this /dev/shm (dynamic_shared_memory_type sysv or mmap?): ` +
        'a restart of that server removes both; rm it yourself if the server is gone for good',
    );
  }
  if (handles === null) return keep(`${controlName} is not a dynamic shared memory control object`);
  for (const name of [controlName, ...handles.map((h) => `/PostgreSQL.${h}`)]) {
    try {
      found.objects.push(statPosix(name));
    } catch {
      /* gone already */
    }
  }
  return found;
}

/** The handles of the objects a control object lists as in use; null when it is not one. */
function itemsOf(fd: number, size: number): number[] | null {
  const head = Buffer.alloc(16);
  if (size < 16 || readSync(fd, head, 0, 16, 0) !== 16 || head.readUInt32LE(0) !== DSM_CONTROL_MAGIC) return null;
  const n = Math.min(head.readUInt32LE(4), MAX_ITEMS, Math.floor((size - 16) / ITEM));
  const items = Buffer.alloc(n * ITEM);
  const got = readSync(fd, items, 0, items.length, 16);
  const handles: number[] = [];
  for (let at = 0; at + ITEM <= got; at += ITEM) {
    const handle = items.readUInt32LE(at);
    if (items.readUInt32LE(at + 4) !== 0 && handle % 2 === 0) handles.push(handle);
  }
  return handles;
}
