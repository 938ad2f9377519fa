/**
 * What stands between a program and shared memory here, read once: the IPC
 * namespace's limits and their use, /dev/shm's size and free space, whether
 * this is a container and its cgroup's memory limit, RLIMIT_MEMLOCK, huge
 * pages, and systemd-logind's RemoveIPC. `doctor` shows it; `check` and
 * create's errors judge a request against it (diagnose/check.ts).
 */
import { existsSync, readdirSync, readFileSync, statfsSync } from 'node:fs';
import { pageSize } from '../kernel/ffi.js';
import { readCgroupMemory, readMeminfo, readSysValue } from '../kernel/procfs.js';
import { cgroupOf, containerHints, hasCapability, memlockLimit } from '../kernel/processes.js';
import { enteredNamespace } from '../ops/namespaces.js';
import { readShmLimits, readShmUsage } from './limits.js';
import { shmDir, shmDirName } from '../posix/name.js';
import type { Environment } from '../model/environment.js';

/**
 * This process's view; inside another namespace (--ns PID), that process's
 * container, cgroup and RLIMIT_MEMLOCK, since those are what its programs meet.
 */
export function readEnvironment(): Environment {
  const limits = readShmLimits();
  const usage = readShmUsage();
  const meminfo = readMeminfo();
  const other = enteredNamespace()?.pid || undefined;
  const cgroupPath = cgroupOf(other ?? 'self');
  const cgroupMemory = cgroupPath === null ? null : readCgroupMemory(cgroupPath);
  const uid = process.geteuid?.() ?? 0;
  const memlock = memlockLimit(other ?? 'self');
  return {
    pageSize: pageSize(),
    shmmax: limits.shmmax,
    shmall: limits.shmall,
    shmmni: limits.shmmni,
    segments: usage.usedIds,
    pagesUsed: usage.shmTot,
    devShm: readDevShm(),
    ...detectContainer(other),
    cgroup: cgroupPath !== null && cgroupMemory ? { path: cgroupPath, ...cgroupMemory } : null,
    memlock: { ...memlock, capIpcLock: hasCapability(14) },
    hugepages: {
      total: meminfo.get('HugePages_Total') ?? 0,
      free: meminfo.get('HugePages_Free') ?? 0,
      size: meminfo.get('Hugepagesize') ?? 0,
      shmGroup: Number(readSysValue('vm/hugetlb_shm_group') ?? 0n),
    },
    removeIpc: readRemoveIpc(uid),
    memAvailable: meminfo.get('MemAvailable') ?? null,
    commit: {
      mode: Number(readSysValue('vm/overcommit_memory') ?? 0n),
      ram: meminfo.get('MemTotal') ?? 0,
      swap: meminfo.get('SwapTotal') ?? 0,
      limit: meminfo.get('CommitLimit') ?? 0,
      committed: meminfo.get('Committed_AS') ?? 0,
      adminReserve: Number(readSysValue('vm/admin_reserve_kbytes') ?? 0n) * 1024,
      userReserve: Number(readSysValue('vm/user_reserve_kbytes') ?? 0n) * 1024,
      capSysAdmin: hasCapability(21),
    },
    uid,
  };
}

function readDevShm(): Environment['devShm'] {
  let path: string;
  try {
    const s = statfsSync(shmDir());
    path = shmDirName();
    return { path, size: s.blocks * s.bsize, free: s.bavail * s.bsize };
  } catch {
    return null;
  }
}

function detectContainer(pid?: number): { container: string | null; containerEvidence: string | null } {
  const h = containerHints(pid);
  if (h.init) return { container: h.init, containerEvidence: `${pid ? `pid ${pid}'s` : "PID 1's"} environment says container=${h.init}` };
  if (h.files.includes('/.dockerenv')) return { container: 'docker', containerEvidence: '/.dockerenv exists' };
  if (h.files.includes('/run/.containerenv')) return { container: 'podman', containerEvidence: '/run/.containerenv exists' };
  const c = h.cgroup ?? '';
  for (const [word, name] of [
    ['kubepods', 'kubernetes'],
    ['docker', 'docker'],
    ['libpod', 'podman'],
    ['lxc', 'lxc'],
  ] as const) {
    if (c.includes(word)) return { container: name, containerEvidence: `the cgroup is ${c}` };
  }
  return { container: null, containerEvidence: null };
}

/** Is a process named systemd-logind in /proc? */
function logindSeen(): boolean {
  try {
    return readdirSync('/proc').some((pid) => {
      if (!/^\d+$/.test(pid)) return false;
      try {
        return readFileSync(`/proc/${pid}/comm`, 'latin1') === 'systemd-logind\n';
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * RemoveIPC from logind.conf and its drop-ins (the last setting wins);
 * systemd's default is yes. It removes a user's segments and /dev/shm files
 * at that user's last logout — not for root or system users (uid < 1000).
 */
function readRemoveIpc(uid: number): Environment['removeIpc'] {
  const logind = ['/usr/lib/systemd/systemd-logind', '/lib/systemd/systemd-logind'].some((f) => existsSync(f));
  if (!logind) return { enabled: false, source: 'no systemd-logind here', affectsUser: false };
  // installed is not running: logind runs where systemd is the init system (sd_booted(3): /run/systemd/system), or
  // where a systemd-logind process is seen; a container or a VM with another init never runs it
  if (!existsSync('/run/systemd/system') && !logindSeen()) {
    return {
      enabled: false,
      source: 'systemd-logind is installed but does not run here: systemd is not the init system',
      affectsUser: false,
    };
  }
  const files = ['/etc/systemd/logind.conf'];
  for (const dir of ['/usr/lib/systemd/logind.conf.d', '/etc/systemd/logind.conf.d', '/run/systemd/logind.conf.d']) {
    try {
      files.push(
        ...readdirSync(dir)
          .filter((f) => f.endsWith('.conf'))
          .sort()
          .map((f) => `${dir}/${f}`),
      );
    } catch {
      /* no such folder */
    }
  }
  let enabled = true;
  let source = "systemd's default";
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const m = [...text.matchAll(/^\s*RemoveIPC\s*=\s*(\S+)/gim)].pop();
    if (m) {
      enabled = /^(1|yes|true|on)$/i.test(m[1]!);
      source = file;
    }
  }
  return { enabled, source, affectsUser: enabled && uid >= 1000 };
}
