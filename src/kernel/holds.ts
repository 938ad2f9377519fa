/**
 * Who holds what, from /proc, in one pass over every process: attached
 * segments (/SYSV<key> mappings on the kernel's own SysV shm devices, inode =
 * shmid), mapped objects (device and inode in maps) and open descriptors
 * (matched by device and inode), each process seen through a live thread when
 * its main thread has exited. Other users' maps and descriptors are readable
 * only with privilege: such processes are counted, never silently dropped.
 */
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { deviceText } from '../model/record.js';
import { memfdDevice } from './posix.js';
import { ipcNamespaceOf } from './processes.js';
import { descriptorsOf, everyProcess } from './proc-walk.js';

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
 * namespaces are left out (or counted for theirs, with `elsewhere`). Descriptors are looked at when their link is a file
 * in /dev/shm (as the process sees it), then matched by device and inode.
 */
export function scanHolds(asked: {
  /** Hold keys (model/kinds.ts): "SYSV <id>" for a segment, "MAJ:MIN INODE" for an object. */
  keys: ReadonlySet<string>;
  fds: boolean;
  /** Descriptors of this process not to count (the ones its own locks are on). */
  ownFds?: ReadonlySet<number>;
  /**
   * Segments of other IPC namespaces, by the namespace's link ("ipc:[INODE]"), looked for in the same pass: their
   * holds come back keyed "<link> SYSV <id>" (metrics --all-namespaces: one pass over /proc, not one per namespace).
   */
  elsewhere?: ReadonlyMap<string, ReadonlySet<number>>;
}): HoldScan {
  const holds = new Map<string, Hold[]>();
  const unreadable: number[] = [];
  const want = wanted(asked.keys, asked.elsewhere);
  if (!want.sysvIds.size && !want.objects.size) return { holds, unreadable };
  const needles = [...want.devices, ...(want.sysvIds.size ? [' /SYSV'] : [])];
  for (const { pid, ...seen } of everyProcess(unreadable, needles)) {
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

/** What a scan looks for in each process, read once before it. */
interface Wanted {
  /** Every segment id looked for, in any namespace. */
  sysvIds: Set<number>;
  /** The ids looked for in each IPC namespace, by its link; ours among them. */
  byNamespace: Map<string, ReadonlySet<number>>;
  objects: Set<string>;
  /** The objects' devices as maps prints them, " MAJ:MIN ". */
  devices: string[];
  /** This process's IPC namespace: segment ids mean something only there. */
  ownNamespace: string | null;
  /**
   * The kernel's own SysV shm devices. A System V attachment is a mapping of
   * one of its files: "/SYSV<key>" on another device is anyone's file named
   * so (a user's tmpfs file whose inode number equals a segment's id), never
   * an attachment. Probed (memfd_create, through the FFI) at the first line
   * that names a wanted id, so a scan that meets none never loads the addon.
   */
  isSysvDevice: (dev: string) => boolean;
}

function wanted(keys: ReadonlySet<string>, elsewhere: ReadonlyMap<string, ReadonlySet<number>> = new Map()): Wanted {
  const ours = new Set<number>();
  const objects = new Set<string>();
  for (const key of keys) {
    if (key.startsWith('SYSV ')) ours.add(Number(key.slice(5)));
    else objects.add(key);
  }
  const sysvIds = new Set([...ours, ...[...elsewhere.values()].flatMap((ids) => [...ids])]);
  const ownNamespace = sysvIds.size ? ipcNamespaceOf('self') : null;
  const byNamespace = new Map(elsewhere);
  if (ownNamespace !== null) byNamespace.set(ownNamespace, ours);
  return {
    sysvIds,
    byNamespace,
    objects,
    devices: [...new Set([...objects].map((k) => ` ${k.slice(0, k.indexOf(' '))} `))],
    ownNamespace,
    isSysvDevice: (dev) => sysvDevices().has(dev),
  };
}

/**
 * The wanted segments this process attaches, each with its count of attachments, by the IPC namespace it is in: ours
 * (keyed "SYSV <id>") or another looked in (keyed "<link> SYSV <id>").
 */
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
    if (!want.sysvIds.has(id) || !want.isSysvDevice(fields[3]!)) continue;
    const key = `SYSV ${id}`;
    const h = sysv.get(key) ?? { pid, attachments: 0, mapped: true, fd: false };
    // every mapping of the segment counts, as the kernel's nattch counts them: an attachment split in two by
    // mprotect(2) of part of it is two (its vm_area's open() adds one), and so is one inherited by fork
    h.attachments++;
    sysv.set(key, h);
  }
  if (!sysv.size) return;
  const ns = namespaceOfView(seen.view);
  const ids = ns === null ? undefined : want.byNamespace.get(ns);
  if (!ids) return;
  for (const [key, h] of sysv) if (ids.has(Number(key.slice(5)))) found.set(ns === want.ownNamespace ? key : `${ns} ${key}`, h);
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
 * name since changed); pipes, sockets and anonymous files are on devices of
 * their own, never an object's.
 */
function addDescriptors(view: string, objects: ReadonlySet<string>, hold: (key: string) => Hold, skip?: ReadonlySet<number>): boolean {
  const fds = descriptorsOf(view);
  if (fds === 'unreadable') return false;
  for (const fd of fds) {
    if (skip?.has(Number(fd))) continue;
    const path = `${view}/fd/${fd}`;
    try {
      // stat follows the link (a pipe's or socket's is on a device of its own, never an object's): one call a descriptor
      const st = statSync(path);
      const key = `${deviceText(st.dev)} ${st.ino}`;
      if (objects.has(key)) hold(key).fd = true;
    } catch {
      /* closed meanwhile */
    }
  }
  return true;
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
