/**
 * What shmctl-ts reads of processes, from /proc/PID, in one place:
 *   /proc/PID/stat      parent, state, start time (for pid reuse)
 *   /proc/PID/cmdline   the command line, as bytes
 *   /proc/PID/maps      attached segments (/SYSV<key>, inode = shmid) and mapped files (device and inode)
 *   /proc/PID/fd        open descriptors (of files in /dev/shm)
 *   /proc/PID/ns/ipc    which IPC namespace a process is in
 *
 * Other users' maps, descriptors and namespaces are readable only with
 * privilege: such processes are counted, never silently dropped.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { deviceText } from '../model/record.js';
import { clockTicks } from './ffi.js';
import { memfdDevice } from './posix.js';

/** A process's command line, NULs as spaces, as bytes (not necessarily UTF-8); null when it is gone or has none. */
export function readCommandLine(pid: number): Buffer | null {
  if (pid <= 0) return null;
  let raw: Buffer;
  try {
    raw = readFileSync(`/proc/${pid}/cmdline`);
  } catch {
    return null;
  }
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0) end--;
  const bytes = raw.subarray(0, end);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0) bytes[i] = 0x20;
  return bytes.length ? bytes : null;
}

export interface ProcessStat {
  pid: number;
  ppid: number;
  /** R, S, D, Z (zombie: it has exited), ... */
  state: string;
  /** The short name (comm), as bytes. */
  comm: Buffer;
  /** Start time, seconds since the epoch (to a clock tick, give or take the boot time's second). */
  start: number;
}

let boot: number | undefined;

/** When the machine booted, seconds since the epoch (/proc/stat's btime). */
export function bootTime(): number {
  if (boot === undefined) {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'));
    boot = m ? Number(m[1]) : 0;
  }
  return boot;
}

/** /proc/PID/stat's fields that matter here; null when the process is gone. */
export function readProcessStat(pid: number): ProcessStat | null {
  if (!(pid > 0)) return null;
  let raw: Buffer;
  try {
    raw = readFileSync(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
  // "PID (comm) S PPID ...": comm may hold spaces and parentheses; it ends at the last ')'
  const open = raw.indexOf(0x28);
  const close = raw.lastIndexOf(0x29);
  if (open < 0 || close < open) return null;
  const rest = raw.toString('latin1', close + 2).split(' ');
  // fields from the third on: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice num_threads itrealvalue starttime
  return {
    pid,
    state: rest[0]!,
    ppid: Number(rest[1]),
    comm: raw.subarray(open + 1, close),
    start: bootTime() + Number(rest[19]) / clockTicks(),
  };
}

/** The uid that owns /proc/PID (the process's effective uid); null when it is gone. */
export function processOwner(pid: number): number | null {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return null;
  }
}

/** Every process (thread-group leader) /proc shows. */
export function listPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .map(Number);
  } catch {
    return [];
  }
}

/** "ipc:[4026531839]" for a process (or 'self'); null when it cannot be read. */
export function ipcNamespaceOf(pid: number | 'self'): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/ipc`);
  } catch {
    return null;
  }
}

/** The IPC namespace as /proc/PID or /proc/PID/task/TID shows it (a thread's, when the main thread has exited). */
function namespaceOfView(view: string): string | null {
  try {
    return readlinkSync(`${view}/ns/ipc`);
  } catch {
    return null;
  }
}

/** One process's hold on one object. */
export interface Hold {
  pid: number;
  /** System V: attachments (maps entries at offset 0); 0 for a POSIX object. */
  attachments: number;
  /** Has it in its address space (attached or mapped). */
  mapped: boolean;
  /** Has an open descriptor of it. */
  fd: boolean;
}

export interface HoldScan {
  /** By holdKey: "SYSV <id>" for a segment, "MAJ:MIN INODE" for an object. */
  holds: Map<string, Hold[]>;
  /** Processes whose maps or descriptors could not be read. */
  unreadable: number[];
}

/**
 * One pass over every process: which of these segments (by id, in this IPC
 * namespace) and objects (by "MAJ:MIN INODE") it attaches, maps or, with
 * `fds`, holds open. A segment's maps entry is "/SYSV<key> (deleted)" with the
 * shmid as its inode — the same in every IPC namespace, so processes of other
 * namespaces are left out. Descriptors are looked at when their link is a file
 * in /dev/shm (as the process sees it), then matched by device and inode.
 */
export function scanHolds(want: { sysvIds: ReadonlySet<number>; objects: ReadonlySet<string>; fds: boolean }): HoldScan {
  const holds = new Map<string, Hold[]>();
  const unreadable: number[] = [];
  if (!want.sysvIds.size && !want.objects.size) return { holds, unreadable };
  const devices = [...new Set([...want.objects].map((k) => ` ${k.slice(0, k.indexOf(' '))} `))];
  const ownNamespace = want.sysvIds.size ? ipcNamespaceOf('self') : null;
  // a System V attachment is a mapping of the kernel's own SysV shm files: "/SYSV<key>" on another device is
  // anyone's file named so (a user's tmpfs file whose inode number equals a segment's id), never an attachment
  const sysvDevs = want.sysvIds.size ? sysvDevices() : new Set<string>();
  for (const pid of listPids()) {
    let maps: string;
    // where its maps and descriptors are read: the process's, or a live thread's when its main thread has exited
    let view = `/proc/${pid}`;
    try {
      maps = readFileSync(`${view}/maps`, 'latin1');
      if (maps === '') {
        // kernel threads and zombies map nothing and hold nothing; but a process whose main thread has exited while
        // others run shows nothing there either: its memory and files are seen through a live thread
        const live = liveThreadView(pid);
        if (live === null) continue;
        view = live.view;
        maps = live.maps;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ESRCH') unreadable.push(pid);
      continue;
    }
    const found = new Map<string, Hold>();
    const hold = (key: string): Hold => {
      let h = found.get(key);
      if (!h) found.set(key, (h = { pid, attachments: 0, mapped: false, fd: false }));
      return h;
    };
    if (want.sysvIds.size) {
      const sysv = new Map<string, Hold>();
      for (let at = maps.indexOf(' /SYSV'); at >= 0; at = maps.indexOf(' /SYSV', at + 1)) {
        // start-end perms offset dev inode  /SYSV%08x (deleted)
        const fields = maps
          .slice(maps.lastIndexOf('\n', at) + 1, at)
          .trim()
          .split(/ +/);
        const id = Number(fields[4]);
        if (!want.sysvIds.has(id) || !sysvDevs.has(fields[3]!)) continue;
        const key = `SYSV ${id}`;
        const h = sysv.get(key) ?? { pid, attachments: 0, mapped: true, fd: false };
        if (/^0+$/.test(fields[2] ?? '')) h.attachments++;
        sysv.set(key, h);
      }
      if (sysv.size && namespaceOfView(view) === ownNamespace) for (const [key, h] of sysv) found.set(key, h);
    }
    for (const device of devices) {
      for (let at = maps.indexOf(device); at >= 0; at = maps.indexOf(device, at + 1)) {
        const end = maps.indexOf(' ', at + device.length);
        const key = `${device.slice(1, -1)} ${maps.slice(at + device.length, end < 0 ? undefined : end)}`;
        if (want.objects.has(key)) hold(key).mapped = true;
      }
    }
    if (want.fds && want.objects.size && !addDescriptors(view, want.objects, hold)) unreadable.push(pid);
    for (const [key, h] of found) {
      const list = holds.get(key);
      if (list) list.push(h);
      else holds.set(key, [h]);
    }
  }
  return { holds, unreadable };
}

/**
 * Mark the objects this process (`view`: /proc/PID, or a live thread's
 * /proc/PID/task/TID) has open; false when its descriptors cannot be read.
 * Every descriptor of a file is matched by device and inode, whatever path
 * it was opened by (a bind mount of the same tmpfs, as sandboxes make, or a
 * name since changed); pipes, sockets and anonymous files are passed over by
 * their link, which is not a path.
 */
function addDescriptors(view: string, objects: ReadonlySet<string>, hold: (key: string) => Hold): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`${view}/fd`);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
  for (const fd of fds) {
    const path = `${view}/fd/${fd}`;
    try {
      if (!readlinkSync(path).startsWith('/')) continue;
      const st = statSync(path);
      const key = `${deviceText(st.dev)} ${st.ino}`;
      if (objects.has(key)) hold(key).fd = true;
    } catch {
      /* closed meanwhile */
    }
  }
  return true;
}

/**
 * A process whose main thread has exited (its other threads still run):
 * /proc/PID/maps and fd are empty, but /proc/PID/task/TID of a live thread
 * shows the memory and files they share. null when there is none (a kernel
 * thread, a zombie, a process gone).
 */
function liveThreadView(pid: number): { view: string; maps: string } | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  for (const tid of tids) {
    if (tid === String(pid)) continue;
    const view = `/proc/${pid}/task/${tid}`;
    try {
      const maps = readFileSync(`${view}/maps`, 'latin1');
      if (maps !== '') return { view, maps };
    } catch {
      /* ended meanwhile */
    }
  }
  return null;
}

/** Does this process (its main thread exited, a zombie) still have a running thread? */
export function hasLiveThreads(pid: number): boolean {
  return liveThreadView(pid) !== null;
}

let sysvDevicesCache: Set<string> | undefined;

/**
 * The devices ("MAJ:MIN", as maps prints them) of the kernel's internal
 * files that System V segments are made of: its shm mount (memfds are made
 * there too, so one made and closed here tells it) and, for SHM_HUGETLB
 * segments, its hugetlbfs mounts, one per huge page size.
 */
export function sysvDevices(): Set<string> {
  if (sysvDevicesCache) return sysvDevicesCache;
  const devices = new Set<string>();
  const MFD_CLOEXEC = 1;
  const MFD_HUGETLB = 4;
  const MFD_HUGE_SHIFT = 26;
  const flags = [MFD_CLOEXEC];
  try {
    for (const dir of readdirSync('/sys/kernel/mm/hugepages')) {
      const kib = Number(/^hugepages-(\d+)kB$/.exec(dir)?.[1] ?? 0);
      if (kib > 0) flags.push(MFD_CLOEXEC | MFD_HUGETLB | (Math.log2(kib * 1024) << MFD_HUGE_SHIFT));
    }
  } catch {
    /* no huge pages */
  }
  for (const f of flags) {
    const dev = memfdDevice(f);
    if (dev !== null) devices.add(deviceText(dev));
  }
  return (sysvDevicesCache = devices);
}

/** A process's cgroup path (v2's "0::/path", or v1's memory controller's); null when none is found. */
export function cgroupOf(pid: number | 'self' = 'self'): string | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/cgroup`, 'latin1');
  } catch {
    return null;
  }
  const v1 = /^\d+:[^:]*\bmemory\b[^:]*:(.*)$/m.exec(text);
  if (v1) return v1[1]!;
  const v2 = /^0::(.*)$/m.exec(text);
  return v2 ? v2[1]! : null;
}

/** RLIMIT_MEMLOCK from /proc/PID/limits, bytes; null for unlimited. */
export function memlockLimit(pid: number | 'self' = 'self'): { soft: number | null; hard: number | null } {
  const m = /^Max locked memory\s+(\S+)\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'latin1'));
  const value = (v: string | undefined): number | null => (v === undefined || v === 'unlimited' ? null : Number(v));
  return { soft: value(m?.[1]), hard: value(m?.[2]) };
}

/** Does this process have a capability (CapEff bit) — 14 is CAP_IPC_LOCK, 21 CAP_SYS_ADMIN? */
export function hasCapability(bit: number): boolean {
  const m = /^CapEff:\s+([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'latin1'));
  return m ? ((BigInt(`0x${m[1]}`) >> BigInt(bit)) & 1n ? true : false) : false;
}

/**
 * Signs that a process (this one, or one in another namespace: `pid`) runs in
 * a container: its init's container= variable, marker files in its root, its
 * cgroup path.
 */
export function containerHints(pid?: number): { init: string | null; files: string[]; cgroup: string | null } {
  const root = pid === undefined ? '' : `/proc/${pid}/root`;
  const files = ['/.dockerenv', '/run/.containerenv'].filter((f) => {
    try {
      statSync(root + f);
      return true;
    } catch {
      return false;
    }
  });
  let init: string | null = null;
  try {
    init = readFileSync(`/proc/${pid ?? 1}/environ`, 'latin1').match(/(?:^|\0)container=([^\0]*)/)?.[1] ?? null;
  } catch {
    /* not ours to read */
  }
  return { init, files, cgroup: cgroupOf(pid ?? 'self') };
}
