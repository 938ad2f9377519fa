/**
 * The namespace's shared memory limits and usage. Limits are read from
 * /proc/sys/kernel as ipcs does (they are per IPC namespace), falling back to
 * shmctl(IPC_INFO); they use all 64 bits, hence BigInt.
 */
import { readKernel } from './kernel/procfs.js';
import { shmctlInfo, shmctlIpcInfo, type ShmInfo } from './kernel/sysv.js';

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

export function readShmLimits(): ShmLimits {
  const shmmni = readKernel('shmmni');
  const shmmax = readKernel('shmmax');
  const shmall = readKernel('shmall');
  if (shmmni !== null && shmmax !== null && shmall !== null) return { shmmni, shmmax, shmall, shmmin: 1n };
  const info = shmctlIpcInfo();
  return { shmmni: info.shmmni, shmmax: info.shmmax, shmall: info.shmall, shmmin: info.shmmin };
}

export function readShmUsage(): ShmInfo {
  return shmctlInfo();
}

export type { ShmInfo };
