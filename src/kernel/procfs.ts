/**
 * What shmctl-ts reads of the system from /proc (processes: processes.ts; the segment list: proc-shm.ts):
 *   /proc/sysvipc/sem                          the namespace's semaphore sets
 *   /proc/sys/kernel/*, /proc/sys/vm/*         limits
 *   /proc/locks                                flock/fcntl locks on files
 *   /proc/meminfo, cgroup memory files         what memory is used
 */
import { readFileSync } from 'node:fs';
import type { LockState } from '../model/lock-state.js';

/** One row of /proc/sysvipc/sem: what a lock listing needs. */
interface SemRow {
  key: number;
  semid: number;
  nsems: number;
  cuid: number;
}

/** The namespace's semaphore sets; none when the file cannot be read. */
export function readProcSem(): SemRow[] {
  let text: string;
  try {
    text = readFileSync('/proc/sysvipc/sem', 'latin1');
  } catch {
    return [];
  }
  const rows: SemRow[] = [];
  // key semid perms nsems uid gid cuid cgid otime ctime
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    rows.push({ key: Number(f[0]) >>> 0, semid: Number(f[1]), nsems: Number(f[3]), cuid: Number(f[6]) });
  }
  return rows;
}

/** One of /proc/sys/kernel's values (shmmax, shmall, shmmni…), or null when it cannot be read. */
export function readKernel(name: string): bigint | null {
  return readSysValue(`kernel/${name}`);
}

/** A value under /proc/sys ("vm/nr_hugepages"), or null. */
export function readSysValue(path: string): bigint | null {
  try {
    return BigInt(readFileSync(`/proc/sys/${path}`, 'latin1').trim());
  } catch {
    return null;
  }
}

/** flock, fcntl and OFD locks from /proc/locks, by "MAJ:MIN INODE". A file with no entry is free. */
export function readFileLocks(): Map<string, LockState> {
  const states = new Map<string, LockState>();
  let text: string;
  try {
    text = readFileSync('/proc/locks', 'latin1');
  } catch {
    return states;
  }
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const waiting = f[1] === '->';
    const g = waiting ? f.slice(1) : f;
    // N: TYPE ADVISORY|MANDATORY READ|WRITE PID MAJ:MIN:INODE START END
    const access = g[3];
    const where = /^([0-9a-f]+):([0-9a-f]+):(\d+)$/.exec(g[5] ?? '');
    if (!where) continue;
    const key = `${where[1]!.padStart(2, '0')}:${where[2]!.padStart(2, '0')} ${where[3]}`;
    const s = states.get(key) ?? { state: 'free', holders: 0, waiters: 0 };
    if (waiting) s.waiters++;
    else {
      s.holders++;
      s.state = access === 'WRITE' ? 'exclusive' : s.state === 'exclusive' ? 'exclusive' : 'shared';
    }
    states.set(key, s);
  }
  return states;
}

/** /proc/meminfo's values in bytes ("HugePages_Total" and the like are counts, as printed). */
export function readMeminfo(): Map<string, number> {
  const out = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync('/proc/meminfo', 'latin1');
  } catch {
    return out;
  }
  for (const m of text.matchAll(/^(\w+(?:\(\w+\))?):\s+(\d+)( kB)?$/gm)) out.set(m[1]!, Number(m[2]) * (m[3] ? 1024 : 1));
  return out;
}

/** A cgroup's memory limit and use: v2 memory.max/current, v1 memory.limit_in_bytes/usage_in_bytes. */
export function readCgroupMemory(path: string): { version: 1 | 2; limit: number | null; usage: number | null } | null {
  const read = (file: string): string | null => {
    try {
      return readFileSync(file, 'latin1').trim();
    } catch {
      return null;
    }
  };
  const v2 = read(`/sys/fs/cgroup${path}/memory.max`);
  if (v2 !== null) {
    const usage = read(`/sys/fs/cgroup${path}/memory.current`);
    return { version: 2, limit: v2 === 'max' ? null : Number(v2), usage: usage === null ? null : Number(usage) };
  }
  const v1 = read(`/sys/fs/cgroup/memory${path}/memory.limit_in_bytes`);
  if (v1 === null) return null;
  const usage = read(`/sys/fs/cgroup/memory${path}/memory.usage_in_bytes`);
  // v1 says "no limit" with a huge page-aligned number
  const limit = Number(v1);
  return { version: 1, limit: limit >= 2 ** 62 ? null : limit, usage: usage === null ? null : Number(usage) };
}
