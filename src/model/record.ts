/**
 * The data model: the records every view renders, one family with a `kind`
 * discriminant — a System V segment (from /proc/sysvipc/shm or IPC_STAT) and
 * a POSIX object (from lstat of /dev/shm). A leaf: it imports nothing of ours.
 */

/** Bits of shm_perm.mode as the kernel reports them: removed while attached, locked in memory. */
export const SHM_DEST = 0o1000;
export const SHM_LOCKED = 0o2000;

/** Where glibc keeps POSIX shared memory objects ("/name" is /dev/shm/name). */
export const SHM_DIR = '/dev/shm';

export interface SegmentRecord {
  kind: 'sysv';
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
  /** The IPC namespace it was listed in, when several were (ls --all-namespaces). */
  namespace?: NamespaceTag;
}

/** Every kind of shared memory, as the column table and the renderers take it. */
export type ShmRecord = SegmentRecord | PosixRecord | HeldRecord<'memfd'> | HeldRecord<'deleted'> | HeldRecord<'anon'>;
/** A kind's name, as records carry it. */
export type KindName = ShmRecord['kind'];
/**
 * What a listing asks for: one kind; 'all', the kinds with a name (segments
 * and objects: what can be made and removed, as -A has always meant); 'held',
 * the kinds seen only through their holders; 'every' kind.
 */
export type KindChoice = KindName | 'all' | 'held' | 'every';

export function permsOf(r: { mode: number }): number {
  return r.mode & 0o777;
}

/** Removed (IPC_RMID) while still attached: it goes at the last detach. */
export function isDest(r: SegmentRecord): boolean {
  return (r.mode & SHM_DEST) !== 0;
}

/** Locked in memory with SHM_LOCK. */
export function isMemoryLocked(r: SegmentRecord): boolean {
  return (r.mode & SHM_LOCKED) !== 0;
}

/** Status words in lsipc's order. */
export function statusOf(r: SegmentRecord): string[] {
  const status: string[] = [];
  if (isDest(r)) status.push('dest');
  if (isMemoryLocked(r)) status.push('locked');
  return status;
}

/** IPC_STAT's fields, as kernel/sysv.ts decodes them. */
export interface ShmidFields {
  key: number;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  mode: number;
  size: number;
  atime: number;
  dtime: number;
  ctime: number;
  cpid: number;
  lpid: number;
  nattch: number;
}

export function recordFromShmidDs(id: number, ds: ShmidFields): SegmentRecord {
  return {
    kind: 'sysv',
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

/** What every file of shared memory has — a POSIX object and the held kinds: fstat's fields and who maps it. */
interface FileFields {
  /** An object's "/name"; a held file's name (see HeldRecord). Escaped. */
  name: string;
  /** Bytes. */
  size: number;
  /** st_mode's permission bits (with setuid/setgid/sticky, if anyone set them). */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch (whole). */
  atime: number;
  mtime: number;
  ctime: number;
  ino: number;
  dev: number;
  /** Processes that map it, from /proc/PID/maps; null when not looked for. */
  mappedBy: number[] | null;
  /** Processes whose maps could not be read (not ours, without privilege). */
  unreadable: number;
  /** The IPC namespace (and its process's /dev/shm) it was listed in, when several were. */
  namespace?: NamespaceTag;
}

/** One POSIX object, as every view of it is rendered. */
export interface PosixRecord extends FileFields {
  kind: 'posix';
  nlink: number;
  /** Bytes of memory it holds (tmpfs blocks: resident or swapped). */
  allocated: number;
}

export function isPosix(r: object): r is PosixRecord {
  return (r as { kind?: string }).kind === 'posix';
}

/** A System V segment's record? (the type guard for a mixed list) */
export function isSegment(r: object): r is SegmentRecord {
  return (r as { kind?: string }).kind === 'sysv';
}

/** "major:minor" as /proc prints a device, in hex. */
export function deviceText(dev: number, width = 2): string {
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | (Math.floor(dev / 4096) & 0xfff00);
  return `${major.toString(16).padStart(width, '0')}:${minor.toString(16).padStart(width, '0')}`;
}

/**
 * An object's identity as /proc/PID/maps and /proc/locks print it, "MAJ:MIN
 * INODE" (device in hex): the same object whatever its name, even removed.
 */
export function objectKey(r: { dev: number; ino: number }): string {
  return `${deviceText(r.dev)} ${r.ino}`;
}

/** Which IPC namespace a record was listed in (ls --all-namespaces): its inode, and one process in it. */
export interface NamespaceTag {
  inode: number;
  pid: number;
}

/**
 * The kinds of shared memory seen only through the processes that hold them:
 * 'memfd' (memfd_create(2): a file with no name in any directory), 'deleted'
 * (a tmpfs file, such as a /dev/shm object, unlinked while still mapped or
 * open) and 'anon' (MAP_SHARED|MAP_ANONYMOUS memory, shared across fork).
 * They have no name to open or remove: they go when the last holder lets go.
 */
export type HeldKind = 'memfd' | 'deleted' | 'anon';
export const HELD_KINDS: readonly HeldKind[] = ['memfd', 'deleted', 'anon'];

/** One process's hold on a memfd, deleted file or shared anonymous region. */
export interface HeldBy {
  pid: number;
  /** Its descriptors of it. */
  fds: number[];
  /** Its mappings of it (maps lines). */
  mappings: number;
}

/** A memfd, a deleted-but-held tmpfs file or a shared anonymous region: one file of the kernel, by device and inode. */
export interface HeldRecord<K extends HeldKind = HeldKind> extends FileFields {
  kind: K;
  // name: memfd "memfd:NAME"; deleted, the path it had, as its holder sees it; anon "[shared anonymous]".
  // size: where the file could not be looked at, the largest extent mapped; mode, uid, gid: there, the holder's.
  /** Bytes of memory it holds (resident or swapped); null where the file could not be looked at. */
  allocated: number | null;
  /** Looked at (fstat through a holder's descriptor or mapping), or only inferred from maps. */
  statted: boolean;
  /** On hugetlbfs (huge pages from the pools, not in meminfo's Shmem). */
  hugetlb: boolean;
  /** memfd seals (F_GET_SEALS: seal, shrink, grow, write, future_write, exec); null when not readable. */
  seals: string[] | null;
  /** The processes seen holding it, by pid. */
  holders: HeldBy[];
  /** Where its bytes can be reached: "/proc/PID/fd/N" or "/proc/PID/map_files/START-END"; null when nowhere. */
  via: string | null;
}

export function isHeld(r: object): r is HeldRecord {
  const kind = (r as { kind?: string }).kind;
  return kind === 'memfd' || kind === 'deleted' || kind === 'anon';
}
