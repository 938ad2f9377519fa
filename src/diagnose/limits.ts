/**
 * The namespace's shared memory limits and usage. Limits are read from
 * /proc/sys/kernel as ipcs does (they are per IPC namespace), falling back to
 * shmctl(IPC_INFO); they use all 64 bits, hence BigInt.
 */
import { readKernel } from '../kernel/procfs.js';
import { shmctlInfo, shmctlIpcInfo } from '../kernel/sysv.js';
import type { ShmInfo, ShmLimits } from '../model/usage.js';

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
