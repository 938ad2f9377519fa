/**
 * What shmctl-ts reads of processes, from /proc/PID, in one place:
 *   /proc/PID/stat      parent, state, start time (for pid reuse)
 *   /proc/PID/cmdline   the command line, as bytes
 *   (maps and descriptors: proc-walk.ts; who holds what: holds.ts, shmem-files.ts)
 *   /proc/PID/ns/ipc    which IPC namespace a process is in
 *   /proc/PID/exe, maps code run from shared memory (the audit)
 *   /proc/PID/mountinfo the options of the mount holding a path
 *
 * Other users' maps, descriptors and namespaces are readable only with
 * privilege: such processes are counted, never silently dropped.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { Errno, hasErrno } from '../model/errors.js';
import { clockTicks } from './ffi.js';

/** A process's command line, NULs as spaces, as bytes (not necessarily UTF-8); null when it is gone or has none. */
export function readCommandLine(pid: number): Buffer | null {
  if (pid <= 0) return null;
  let raw: Buffer;
  try {
    raw = readFileSync(`/proc/${pid}/cmdline`);
  } catch {
    return null;
  }
  if (raw.length === 0) return null;
  // util-linux's rule (lib/procfs.c, as lsipc shows it): the first BUFSIZ bytes, every NUL a space, the last
  // byte dropped (the final NUL, or a character of a longer line); so a line padded with NULs keeps its spaces
  const bytes = raw.subarray(0, Math.min(raw.length, CMDLINE_MAX) - 1);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0) bytes[i] = 0x20;
  return bytes;
}

/** glibc's BUFSIZ: what util-linux reads of a command line. */
const CMDLINE_MAX = 8192;

interface ProcessStat {
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
function bootTime(): number {
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

/**
 * Why some processes of this machine cannot be seen in /proc at all, or null
 * when every one can: a /proc mounted with hidepid (other users' processes
 * hidden from those without CAP_SYS_PTRACE), a PID namespace that is not the
 * initial one (processes of parent and sibling namespaces are not in it), or
 * a /proc that belongs to another PID namespace than this process's (its
 * pids and start times are not ours). What is not seen may hold anything.
 */
export function hiddenProcesses(): string | null {
  let self: number | null = null;
  try {
    self = Number(readlinkSync('/proc/self'));
  } catch {
    /* no /proc/self: below */
  }
  if (self !== process.pid)
    return `this /proc belongs to another PID namespace than ours (it names us ${self ?? 'not at all'}, we are ${process.pid})`;
  try {
    // the initial PID namespace has a fixed inode (PROC_PID_INIT_INO); NSpid would show only /proc's own level
    const PROC_PID_INIT_INO = 0xeffffffc;
    if (readlinkSync('/proc/self/ns/pid') !== `pid:[${PROC_PID_INIT_INO}]`)
      return 'this PID namespace is not the first: processes of the ones around it are not seen';
    // mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPEROPTIONS; the last /proc is the one seen
    const procs = [...readFileSync('/proc/self/mountinfo', 'latin1').matchAll(/^\S+ \S+ \S+ \S+ \/proc (\S+) .*- proc \S+ (\S+)$/gm)];
    const last = procs[procs.length - 1];
    const options = last ? `${last[1]},${last[2]}` : '';
    const hide = /(?:^|,)hidepid=([^,]+)/.exec(options)?.[1];
    if (hide && hide !== '0' && hide !== 'off' && !hasCapability(19 /* CAP_SYS_PTRACE */))
      return `/proc is mounted with hidepid=${hide}: other users' processes are not seen`;
  } catch {
    return '/proc cannot tell which processes it hides';
  }
  return null;
}

/** Where code can come from shared memory: a memfd, a /dev/shm file, a System V segment mapped executable. */
const SHARED_CODE = /^(\/memfd:|\/dev\/shm\/|\/SYSV[0-9a-f]{8})/;

/**
 * What of a process's code comes from shared memory: its executable (exe is
 * /memfd:… or /dev/shm/…) and its first executable mapping of one; null for
 * each when none; 'unreadable' when /proc does not let us look.
 */
export function sharedMemoryCode(pid: number): { exe: string | null; mapping: string | null } | 'unreadable' | 'gone' {
  let exe: string | null = null;
  let maps: string;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch (e) {
    if (hasErrno(e, Errno.ENOENT))
      exe = null; // a kernel thread, or gone
    else if (hasErrno(e, Errno.EACCES, Errno.EPERM)) return 'unreadable';
  }
  try {
    maps = readFileSync(`/proc/${pid}/maps`, 'latin1');
  } catch (e) {
    return hasErrno(e, Errno.ENOENT, Errno.ESRCH) ? 'gone' : 'unreadable';
  }
  let mapping: string | null = null;
  // ADDR PERMS OFFSET DEV INODE PATH
  for (const m of maps.matchAll(/^\S+ ..x. \S+ \S+ \S+ +(\S.*)$/gm)) {
    if (SHARED_CODE.test(m[1]!)) {
      mapping = m[1]!;
      break;
    }
  }
  return { exe: exe !== null && SHARED_CODE.test(exe) ? exe : null, mapping };
}

/**
 * The per-mount options (rw, nodev, nosuid, noexec…) of the mount that holds
 * `path` as the process `pid` sees its mounts (its mountinfo), and that
 * mount's point; null when its mountinfo cannot be read.
 */
export function mountOptionsOf(pid: number | 'self', path: string): { point: string; options: string[]; fstype: string } | null {
  let info: string;
  try {
    info = readFileSync(`/proc/${pid}/mountinfo`, 'latin1');
  } catch {
    return null;
  }
  // ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER; the last mount on a point is the one seen
  let best: { point: string; options: string[]; fstype: string } | null = null;
  for (const m of info.matchAll(/^\S+ \S+ \S+ \S+ (\S+) (\S+) .*?- (\S+) /gm)) {
    const point = m[1]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    const within = point === '/' || path === point || path.startsWith(point + '/');
    if (within && (!best || point.length >= best.point.length)) best = { point, options: m[2]!.split(','), fstype: m[3]! };
  }
  return best;
}
