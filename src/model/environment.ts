/**
 * What doctor and check know of the machine, and what they find: the
 * environment read once (diagnose/environment.ts), a request judged against
 * it (diagnose/check.ts), and sizes as people read them.
 */
export interface Environment {
  pageSize: number;
  /** kernel.shmmax (bytes), kernel.shmall (pages), kernel.shmmni (segments), and what is in use. */
  shmmax: bigint;
  shmall: bigint;
  shmmni: bigint;
  segments: number;
  /** Pages of all segments together (shm_tot). */
  pagesUsed: bigint;
  /** /dev/shm (a tmpfs): its size and what is free for an unprivileged user, in bytes; null when there is none. */
  devShm: { path: string; size: number; free: number } | null;
  /** docker, podman, kubernetes, lxc, systemd-nspawn…, or null when nothing says so. */
  container: string | null;
  containerEvidence: string | null;
  cgroup: { path: string; version: 1 | 2; limit: number | null; usage: number | null } | null;
  /** RLIMIT_MEMLOCK in bytes (null: unlimited), and whether CAP_IPC_LOCK lifts it. */
  memlock: { soft: number | null; hard: number | null; capIpcLock: boolean };
  hugepages: { total: number; free: number; size: number; shmGroup: number };
  /** logind's RemoveIPC, where it was set (or its default), and whether it reaches this user. */
  removeIpc: { enabled: boolean; source: string; affectsUser: boolean };
  memAvailable: number | null;
  /** The kernel's commit accounting, which shmget meets for a segment without SHM_NORESERVE; bytes. */
  commit: Commit;
  uid: number;
}

/** vm.overcommit_memory and what it compares (mm/util.c's __vm_enough_memory), in bytes. */
export interface Commit {
  /** 0: heuristic (one request may not exceed RAM + swap), 1: always, 2: never beyond CommitLimit. */
  mode: number;
  ram: number;
  swap: number;
  /** CommitLimit and Committed_AS from /proc/meminfo. */
  limit: number;
  committed: number;
  /** vm.admin_reserve_kbytes (kept from those without CAP_SYS_ADMIN) and vm.user_reserve_kbytes, as bytes. */
  adminReserve: number;
  userReserve: number;
  capSysAdmin: boolean;
}

export interface ShmRequest {
  size: number;
  count: number;
  hugetlb: boolean;
  posix: boolean;
  lockMemory: boolean;
  /** SHM_NORESERVE: not charged to the commit accounting (unless vm.overcommit_memory is 2). */
  noreserve?: boolean;
}

type LimitName =
  'shmmni' | 'shmmax' | 'shmall' | 'commit' | 'hugepages' | 'hugetlb_shm_group' | 'dev_shm' | 'cgroup' | 'memlock' | 'remove_ipc';

export interface Finding {
  limit: LimitName;
  /** Stops the request (or, without one, is a problem as it stands). */
  blocks: boolean;
  message: string;
  fix: string[];
}

/** Bytes in binary units, one decimal under 10: 1.5 GiB, 512 B. */
export const humanBytes = (n: number | bigint): string => {
  const v = Number(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  let x = v;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${x.toFixed(x < 10 ? 1 : 0)} ${units[i]}`;
};
