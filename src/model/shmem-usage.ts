/**
 * Where meminfo's Shmem goes (`usage`): the buckets it is split into, each
 * with its largest members. A leaf of the model: numbers only.
 */

/** One of a bucket's largest members. */
export interface ShmemItem {
  /** What it is: "id 5 (key 0x…)", "/dev/shm", "memfd:wayland-shm (inode 4711)". */
  what: string;
  bytes: number;
  /** The processes seen holding it (held kinds), empty where none or not looked for. */
  holders: number[];
  /**
   * usage --charged (root): the control groups its resident pages are charged to, the most first;
   * "?" for pages that could not be told. Absent when not looked for.
   */
  charged?: { cgroup: string; bytes: number }[];
}

type BucketName = 'sysv' | 'tmpfs' | 'memfd' | 'deleted' | 'anon' | 'rest';

export interface ShmemBucket {
  bucket: BucketName;
  /** In words, for the table. */
  label: string;
  /** Bytes of Shmem it accounts for (the rest: what is left, which may be below 0 when counts race). */
  bytes: number;
  items: ShmemItem[];
  /** What it could not measure, and why. */
  notes: string[];
}

export interface CgroupShmem {
  /** The cgroup's path ("/" the root). */
  path: string;
  /** memory.stat's shmem: bytes of shared memory charged to it (its own pages, v1; with its children, v2). */
  bytes: number;
}

/** A process holding many memfds (one that leaks them stands out). */
export interface MemfdHolder {
  pid: number;
  memfds: number;
  bytes: number;
}

export interface ShmemUsage {
  /** meminfo: Shmem, ShmemHugePages (its transparent huge pages: a part of Shmem). */
  shmem: number;
  shmemHuge: number;
  buckets: ShmemBucket[];
  /** Huge page pools (SHM_HUGETLB segments and hugetlbfs memfds take from them, not from Shmem), per page size. */
  hugePages: { size: number; total: number; free: number; reserved: number; surplus: number }[];
  /** The processes holding the most memfds. */
  memfdHolders: MemfdHolder[];
  cgroups: CgroupShmem[];
  /** Processes that could not be read, namespaces not entered: what they hold is in the rest. */
  notes: string[];
}
