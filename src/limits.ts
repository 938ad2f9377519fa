/**
 * The namespace's shared memory limits and usage. Limits are read from
 * /proc/sys/kernel as ipcs does (they are per IPC namespace), falling back to
 * shmctl(IPC_INFO); they use all 64 bits, hence BigInt.
 */
import { readFileSync } from 'node:fs';
import { shmctlInfo, shmctlIpcInfo, type ShmInfo } from './libc.js';

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

/** One of /proc/sys/kernel's values (shmmax, shmall, shmmni…), or null when it cannot be read. */
export function readKernel(name: string): bigint | null {
  try {
    return BigInt(readFileSync(`/proc/sys/kernel/${name}`, 'latin1').trim());
  } catch {
    return null;
  }
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
