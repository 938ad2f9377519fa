/**
 * Who holds what, from /proc, in one pass over every process: attached
 * segments (/SYSV<key> mappings on the kernel's own SysV shm devices, inode =
 * shmid), mapped objects (device and inode in maps) and open descriptors
 * (matched by device and inode), each process seen through a live thread when
 * its main thread has exited. Other users' maps and descriptors are readable
 * only with privilege: such processes are counted, never silently dropped.
 */
import { Errno, hasErrno } from '../model/errors.js';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { deviceText } from '../model/record.js';
import { memfdDevice } from './posix.js';
import { ipcNamespaceOf, listPids } from './processes.js';

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
  /** System V: attachments as nattch counts them (every maps entry of the segment); 0 for a POSIX object. */
  attachments: number;
  /** Has it in its address space (attached or mapped). */
  mapped: boolean;
  /** Has an open descriptor of it. */
  fd: boolean;
}

interface HoldScan {
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
export function scanHolds(asked: {
  /** Hold keys (model/kinds.ts): "SYSV <id>" for a segment, "MAJ:MIN INODE" for an object. */
  keys: ReadonlySet<string>;
  fds: boolean;
  /** Descriptors of this process not to count (the ones its own locks are on). */
  ownFds?: ReadonlySet<number>;
}): HoldScan {
  const holds = new Map<string, Hold[]>();
  const unreadable: number[] = [];
  const want = wanted(asked.keys);
  if (!want.sysvIds.size && !want.objects.size) return { holds, unreadable };
  for (const { pid, ...seen } of everyProcess(unreadable)) {
    const found = new Map<string, Hold>();
    const hold = (key: string): Hold => {
      let h = found.get(key);
      if (!h) found.set(key, (h = { pid, attachments: 0, mapped: false, fd: false }));
      return h;
    };
    if (want.sysvIds.size) addAttachments(found, pid, seen, want);
    addMappings(seen.maps, want, hold);
    const skip = pid === process.pid ? asked.ownFds : undefined;
    if (asked.fds && want.objects.size && !addDescriptors(seen.view, want.objects, hold, skip)) unreadable.push(pid);
    for (const [key, h] of found) {
      const list = holds.get(key);
      if (list) list.push(h);
      else holds.set(key, [h]);
    }
  }
  return { holds, unreadable };
}

/**
 * Every process /proc shows, each with its maps and where its maps and
 * descriptors are read (readMaps); the ones that may not be read are added to
 * `unreadable`, the ones gone or holding nothing passed over.
 */
export function* everyProcess(unreadable: number[]): Generator<{ pid: number; view: string; maps: string }> {
  for (const pid of listPids()) {
    const seen = readMaps(pid);
    if (seen === 'unreadable') unreadable.push(pid);
    else if (seen !== 'gone') yield { pid, ...seen };
  }
}

/** What a scan looks for in each process, read once before it. */
interface Wanted {
  sysvIds: Set<number>;
  objects: Set<string>;
  /** The objects' devices as maps prints them, " MAJ:MIN ". */
  devices: string[];
  /** This process's IPC namespace: segment ids mean something only there. */
  ownNamespace: string | null;
  /**
   * The kernel's own SysV shm devices. A System V attachment is a mapping of
   * one of its files: "/SYSV<key>" on another device is anyone's file named
   * so (a user's tmpfs file whose inode number equals a segment's id), never
   * an attachment.
   */
  sysvDevs: Set<string>;
}

function wanted(keys: ReadonlySet<string>): Wanted {
  const sysvIds = new Set<number>();
  const objects = new Set<string>();
  for (const key of keys) {
    if (key.startsWith('SYSV ')) sysvIds.add(Number(key.slice(5)));
    else objects.add(key);
  }
  return {
    sysvIds,
    objects,
    devices: [...new Set([...objects].map((k) => ` ${k.slice(0, k.indexOf(' '))} `))],
    ownNamespace: sysvIds.size ? ipcNamespaceOf('self') : null,
    sysvDevs: sysvIds.size ? sysvDevices() : new Set<string>(),
  };
}

/**
 * A process's maps, and where its maps and descriptors are read: the
 * process's /proc/PID, or a live thread's when its main thread has exited.
 * 'gone' for a process that ended (or holds nothing: a kernel thread, a
 * zombie), 'unreadable' when it may not be read.
 */
function readMaps(pid: number): { view: string; maps: string } | 'gone' | 'unreadable' {
  try {
    const maps = readFileSync(`/proc/${pid}/maps`, 'latin1');
    if (maps !== '') return { view: `/proc/${pid}`, maps };
    // kernel threads and zombies map nothing and hold nothing; but a process whose main thread has exited while
    // others run shows nothing there either: its memory and files are seen through a live thread
    return liveThreadView(pid) ?? 'gone';
  } catch (e) {
    return hasErrno(e, Errno.ENOENT, Errno.ESRCH) ? 'gone' : 'unreadable';
  }
}

/** The wanted segments this process attaches, each with its count of attachments, when it is in our IPC namespace. */
function addAttachments(found: Map<string, Hold>, pid: number, seen: { view: string; maps: string }, want: Wanted): void {
  const { maps } = seen;
  const sysv = new Map<string, Hold>();
  for (let at = maps.indexOf(' /SYSV'); at >= 0; at = maps.indexOf(' /SYSV', at + 1)) {
    // start-end perms offset dev inode  /SYSV%08x (deleted)
    const fields = maps
      .slice(maps.lastIndexOf('\n', at) + 1, at)
      .trim()
      .split(/ +/);
    const id = Number(fields[4]);
    if (!want.sysvIds.has(id) || !want.sysvDevs.has(fields[3]!)) continue;
    const key = `SYSV ${id}`;
    const h = sysv.get(key) ?? { pid, attachments: 0, mapped: true, fd: false };
    // every mapping of the segment counts, as the kernel's nattch counts them: an attachment split in two by
    // mprotect(2) of part of it is two (its vm_area's open() adds one), and so is one inherited by fork
    h.attachments++;
    sysv.set(key, h);
  }
  if (sysv.size && namespaceOfView(seen.view) === want.ownNamespace) for (const [key, h] of sysv) found.set(key, h);
}

/** The wanted objects this process maps, by device and inode. */
function addMappings(maps: string, want: Wanted, hold: (key: string) => Hold): void {
  for (const device of want.devices) {
    for (let at = maps.indexOf(device); at >= 0; at = maps.indexOf(device, at + 1)) {
      const end = maps.indexOf(' ', at + device.length);
      const key = `${device.slice(1, -1)} ${maps.slice(at + device.length, end < 0 ? undefined : end)}`;
      if (want.objects.has(key)) hold(key).mapped = true;
    }
  }
}

/**
 * Mark the objects this process (`view`: /proc/PID, or a live thread's
 * /proc/PID/task/TID) has open; false when its descriptors cannot be read.
 * Every descriptor of a file is matched by device and inode, whatever path
 * it was opened by (a bind mount of the same tmpfs, as sandboxes make, or a
 * name since changed); pipes, sockets and anonymous files are passed over by
 * their link, which is not a path.
 */
function addDescriptors(view: string, objects: ReadonlySet<string>, hold: (key: string) => Hold, skip?: ReadonlySet<number>): boolean {
  const fds = descriptorsOf(view);
  if (fds === 'unreadable') return false;
  for (const fd of fds) {
    if (skip?.has(Number(fd))) continue;
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

/** A process's descriptors (/proc/PID/fd), none when it is gone; 'unreadable' when it may not be read. */
export function descriptorsOf(view: string): string[] | 'unreadable' {
  try {
    return readdirSync(`${view}/fd`);
  } catch (e) {
    return hasErrno(e, Errno.ENOENT) ? [] : 'unreadable';
  }
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
