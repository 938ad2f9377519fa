/** The namespace's limits and usage, as ipcs -l and -u show them; and how views name ids. */

export interface ShmLimits {
  /** Most segments (kernel.shmmni). */
  shmmni: bigint;
  /** Largest segment in bytes (kernel.shmmax). */
  shmmax: bigint;
  /** Total shared memory in pages (kernel.shmall). */
  shmall: bigint;
  /** Smallest segment in bytes: always 1 on Linux. */
  shmmin: bigint;
}

/** struct shm_info (SHM_INFO): what ipcs -u prints. Page counts. */
export interface ShmInfo {
  usedIds: number;
  shmTot: bigint;
  shmRss: bigint;
  shmSwp: bigint;
  swapAttempts: bigint;
  swapSuccesses: bigint;
}

/**
 * How a view names uids, gids and processes (null: no such user or group, no
 * such process). Views take one; the tests pass fixed tables.
 */
export interface NameLookup {
  user(uid: number): string | null;
  group(gid: number): string | null;
  /** A live process's command line, escaped (model/text.ts). */
  command(pid: number): string | null;
}
