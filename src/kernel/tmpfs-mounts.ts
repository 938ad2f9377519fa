/**
 * The tmpfs mounts of the machine — /dev/shm, /run, /tmp, a container's own
 * /dev/shm — each once (by its device: one superblock may be mounted in many
 * places and mount namespaces), with what it holds (statfs). Another mount
 * namespace's mount is reached inside its process's root (openat2
 * RESOLVE_IN_ROOT), never through a path that could lead out of it, and must
 * turn out to be that very device.
 */
import { closeSync, fstatSync, readFileSync, readlinkSync, statfsSync } from 'node:fs';
import { deviceText } from '../model/record.js';
import { closeNamespace, openInRoot, openPath } from './namespace.js';
import { listPids } from './processes.js';

interface TmpfsMount {
  /** "MAJ:MIN" as maps and deviceText print it. */
  device: string;
  fstype: string;
  /** Where it is mounted, as the first process seen with it sees it. */
  point: string;
  /** That process (0: our own mount namespace). */
  pid: number;
  /** Bytes its files hold (statfs: blocks used), or null with why. */
  used: number | null;
  why: string | null;
}

/** Every tmpfs and devtmpfs mount of every mount namespace we may look into, ours first. */
export function tmpfsMounts(): { mounts: TmpfsMount[]; unreadable: number } {
  const byNs = new Map<string, number>();
  let unreadable = 0;
  const own = readlinkSync('/proc/self/ns/mnt');
  byNs.set(own, 0);
  for (const pid of listPids()) {
    try {
      const ns = readlinkSync(`/proc/${pid}/ns/mnt`);
      if (!byNs.has(ns)) byNs.set(ns, pid);
    } catch {
      unreadable++;
    }
  }
  const seen = new Map<string, TmpfsMount>();
  for (const pid of byNs.values()) {
    let info: string;
    try {
      info = readFileSync(`/proc/${pid === 0 ? 'self' : pid}/mountinfo`, 'latin1');
    } catch {
      continue;
    }
    // ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
    for (const m of info.matchAll(/^\S+ \S+ (\d+):(\d+) \S+ (\S+) .*? - (tmpfs|devtmpfs) /gm)) {
      const device = `${Number(m[1]).toString(16).padStart(2, '0')}:${Number(m[2]).toString(16).padStart(2, '0')}`;
      const point = m[3]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
      const found = seen.get(device);
      if (found && found.used !== null) continue;
      const measured = measure(pid, point, device);
      seen.set(device, { device, fstype: m[4]!, point, pid, ...measured });
    }
  }
  return { mounts: [...seen.values()], unreadable };
}

/** statfs of the mount at `point` inside process `pid`'s root (0: ours), if it is that device there. */
function measure(pid: number, point: string, device: string): { used: number | null; why: string | null } {
  let root: number;
  try {
    root = openPath(pid === 0 ? '/' : `/proc/${pid}/root`);
  } catch {
    return { used: null, why: 'its mount namespace cannot be entered' };
  }
  let fd: number | null = null;
  try {
    fd = openInRoot(root, point);
    if (deviceText(fstatSync(fd).dev) !== device) return { used: null, why: 'covered by another mount: cannot be reached' };
    const s = statfsSync(`/proc/self/fd/${fd}`);
    // a tmpfs mounted without a size keeps no count of its blocks
    if (Number(s.blocks) === 0) return { used: null, why: 'no size limit: the kernel keeps no count of its blocks' };
    return { used: (Number(s.blocks) - Number(s.bfree)) * Number(s.bsize), why: null };
  } catch {
    return { used: null, why: 'cannot be reached' };
  } finally {
    if (fd !== null) closeSync(fd);
    closeNamespace(root);
  }
}
