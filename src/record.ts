/**
 * The one record every view of a segment is rendered from, whether it came
 * from /proc/sysvipc/shm (listings) or from shmctl(IPC_STAT) (one segment).
 */
import { SHM_DEST, SHM_LOCKED, type ShmidDs } from './libc.js';
import type { PosixRecord } from './posix.js';

export interface SegmentRecord {
  /** Unsigned 32-bit key; 0 for IPC_PRIVATE and for segments removed while attached. */
  key: number;
  id: number;
  /** shm_perm.mode: permission bits plus SHM_DEST (01000) and SHM_LOCKED (02000). */
  mode: number;
  /** Bytes, as asked at creation (the memory used is rounded up to pages). */
  size: number;
  cpid: number;
  lpid: number;
  nattch: number;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  /** Seconds since the epoch; 0 means never. */
  atime: number;
  dtime: number;
  ctime: number;
  /** Resident and swapped bytes; known from /proc only, null from IPC_STAT. */
  rss: number | null;
  swap: number | null;
}

/** Either kind of shared memory, as the column table and the renderers take it. */
export type ShmRecord = SegmentRecord | PosixRecord;

export function permsOf(r: { mode: number }): number {
  return r.mode & 0o777;
}

/** Removed (IPC_RMID) while still attached: it goes at the last detach. */
export function isDest(r: SegmentRecord): boolean {
  return (r.mode & SHM_DEST) !== 0;
}

/** Locked in memory with SHM_LOCK. */
export function isLocked(r: SegmentRecord): boolean {
  return (r.mode & SHM_LOCKED) !== 0;
}

/** Status words in lsipc's order. */
export function statusOf(r: SegmentRecord): string[] {
  const status: string[] = [];
  if (isDest(r)) status.push('dest');
  if (isLocked(r)) status.push('locked');
  return status;
}

export function recordFromShmidDs(id: number, ds: ShmidDs): SegmentRecord {
  return {
    key: ds.key,
    id,
    mode: ds.mode,
    size: ds.size,
    cpid: ds.cpid,
    lpid: ds.lpid,
    nattch: ds.nattch,
    uid: ds.uid,
    gid: ds.gid,
    cuid: ds.cuid,
    cgid: ds.cgid,
    atime: ds.atime,
    dtime: ds.dtime,
    ctime: ds.ctime,
    rss: null,
    swap: null,
  };
}

/** The key as everyone prints it: 0x%08x of the unsigned value. */
export function formatKey(key: number): string {
  return '0x' + (key >>> 0).toString(16).padStart(8, '0');
}
