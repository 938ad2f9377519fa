/**
 * The shared memory that only processes show: memfds, tmpfs files unlinked
 * while held (a /dev/shm object removed but still mapped or open) and shared
 * anonymous memory (MAP_SHARED|MAP_ANONYMOUS, a file of the kernel's own shm
 * mount that maps prints as "/dev/zero (deleted)"). One pass over every
 * process: its maps (mappings) and, for memfds and deleted files, its
 * descriptors; each file once, by device and inode, with every holder.
 * A file is looked at (fstat: size, blocks, owner) through a holder's
 * descriptor, or through /proc/PID/map_files (which needs CAP_SYS_ADMIN)
 * when it is only mapped; where neither works its size is the largest
 * extent mapped and its memory unknown.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, readlinkSync, statfsSync, statSync, type Stats } from 'node:fs';
import { deviceText, type HeldBy, type HeldKind, type HeldRecord } from '../model/record.js';
import { escapeBytes } from '../model/text.js';
import { call, T } from './ffi.js';
import { sysvDevices } from './holds.js';
import { descriptorsOf, everyProcess } from './proc-walk.js';
import { processOwner } from './processes.js';

const TMPFS_MAGIC = 0x01021994;
const HUGETLBFS_MAGIC = 0x958458f6;
const DELETED = ' (deleted)';

interface Found {
  kind: HeldKind;
  /** The path as /proc shows it, without " (deleted)", as bytes. */
  path: Buffer;
  dev: string;
  ino: number;
  holders: Map<number, HeldBy>;
  /** Descriptor paths of holders (/proc/PID/fd/N), map_files paths, in the order seen. */
  fdPaths: string[];
  mapPaths: string[];
  extent: number;
  /** The uid of the first process seen holding it (the owner when the file cannot be looked at). */
  holderUid: number | null;
  /** The first holder's /proc view (its mounts tell a tmpfs file from a disk file's when it cannot be looked at). */
  view: string;
}

export interface HeldScan {
  records: HeldRecord[];
  /** Processes whose maps or descriptors could not be read. */
  unreadable: number[];
}

/** Every memfd, deleted-but-held tmpfs file and shared anonymous region of the kinds asked, with its holders. */
export function scanHeldFiles(want: ReadonlySet<HeldKind>): HeldScan {
  const found = new Map<string, Found>();
  const unreadable: number[] = [];
  if (want.size === 0) return { records: [], unreadable };
  // System V segments are files of the same kernel mount, named /SYSV<key>: not these kinds
  const sysv = sysvDevices();
  const fds = want.has('memfd') || want.has('deleted');
  for (const { pid, ...seen } of everyProcess(unreadable, [DELETED + '\n'])) {
    const note = (kind: HeldKind, path: Buffer, dev: string, ino: number): { f: Found; by: HeldBy } => {
      const key = `${dev} ${ino}`;
      let f = found.get(key);
      if (!f)
        found.set(
          key,
          (f = { kind, path, dev, ino, holders: new Map(), fdPaths: [], mapPaths: [], extent: 0, holderUid: null, view: seen.view }),
        );
      let by = f.holders.get(pid);
      if (!by) {
        f.holders.set(pid, (by = { pid, fds: [], mappings: 0 }));
        if (f.holderUid === null) f.holderUid = processOwner(pid);
      }
      return { f, by };
    };
    addMappings(seen, want, sysv, note);
    if (fds && !addDescriptors(seen.view, want, sysv, note)) unreadable.push(pid);
  }
  const records: HeldRecord[] = [];
  for (const f of found.values()) {
    const r = recordOf(f);
    if (r && want.has(r.kind)) records.push(r);
  }
  return { records, unreadable };
}

/** The maps lines of these kinds: " (deleted)" files, memfds, shared anonymous memory. */
function addMappings(
  seen: { view: string; maps: string },
  want: ReadonlySet<HeldKind>,
  sysv: Set<string>,
  note: (kind: HeldKind, path: Buffer, dev: string, ino: number) => { f: Found; by: HeldBy },
): void {
  const { maps, view } = seen;
  for (let at = maps.indexOf(DELETED + '\n'); at >= 0; at = maps.indexOf(DELETED + '\n', at + 1)) {
    const line = maps.slice(maps.lastIndexOf('\n', at) + 1, at);
    // start-end perms offset MAJ:MIN inode  path
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) ([0-9a-f]+:[0-9a-f]+) (\d+) +(\/.*)$/.exec(line);
    if (!m) continue;
    const [, start, end, perms, offset, dev, inode, path] = m as unknown as string[];
    const kind = classify(path!, perms!, dev!, sysv);
    if (kind === null || !want.has(kind)) continue;
    // maps writes a newline in a path as \012 (a descriptor's link, where there is one, is taken instead)
    const { f, by } = note(kind, Buffer.from(path!.replace(/\\012/g, '\n'), 'latin1'), dev!, Number(inode));
    by.mappings++;
    const length = parseInt(end!, 16) - parseInt(start!, 16);
    f.extent = Math.max(f.extent, parseInt(offset!, 16) + length);
    if (f.mapPaths.length < 2) f.mapPaths.push(`${view}/map_files/${start}-${end}`);
  }
}

/** What a " (deleted)" maps entry is; null for a System V segment or what is none of these kinds. */
function classify(path: string, perms: string, dev: string, sysv: Set<string>): HeldKind | null {
  // memfds, segments and shared anonymous memory are files of the kernel's own mounts (sysv: their devices); a
  // file a user named so on a tmpfs of theirs, and removed, is a removed file
  const internal = sysv.has(dev);
  if (internal && path.startsWith('/memfd:')) return 'memfd';
  if (internal && path.startsWith('/SYSV')) return null;
  if (internal && (path === '/dev/zero' || path === '/anon_hugepage') && perms[3] === 's') return 'anon';
  // the kernel's other files there (a graphics driver's buffers) are none of these kinds: usage's rest
  if (internal) return null;
  // another file, removed: a tmpfs (or hugetlbfs) file is checked when looked at (recordOf); others are dropped there
  return 'deleted';
}

/** The descriptors that are memfds or removed files. False when they cannot be read. */
function addDescriptors(
  view: string,
  want: ReadonlySet<HeldKind>,
  sysv: Set<string>,
  note: (kind: HeldKind, path: Buffer, dev: string, ino: number) => { f: Found; by: HeldBy },
): boolean {
  const names = descriptorsOf(view);
  if (names === 'unreadable') return false;
  for (const fd of names) {
    const path = `${view}/fd/${fd}`;
    let link: Buffer;
    try {
      link = readlinkSync(path, { encoding: 'buffer' });
    } catch {
      continue; // closed meanwhile
    }
    if (link[0] !== 0x2f || !link.subarray(link.length - DELETED.length).equals(DELETED_BYTES)) continue;
    let st: Stats;
    try {
      st = statSync(path);
    } catch {
      continue;
    }
    if (!st.isFile()) continue;
    const dev = deviceText(st.dev);
    const kind = sysv.has(dev) && link.subarray(0, 7).toString('latin1') === '/memfd:' ? 'memfd' : 'deleted';
    // (a segment's file is never a descriptor's; the kernel's other files of that mount are not these kinds)
    if (!want.has(kind) || (kind === 'deleted' && sysv.has(dev))) continue;
    const { f, by } = note(kind, link.subarray(0, link.length - DELETED.length), dev, st.ino);
    by.fds.push(Number(fd));
    if (f.fdPaths.length < 2) f.fdPaths.push(path);
    // the link gives the name's bytes as they are
    f.path = link.subarray(0, link.length - DELETED.length);
  }
  return true;
}

const DELETED_BYTES = Buffer.from(DELETED, 'latin1');

/** A found file as a record: looked at through a holder where possible. null when it is not shared memory after all. */
function recordOf(f: Found): HeldRecord | null {
  let st: Stats | null = null;
  let via: string | null = null;
  let fsType: number | null = null;
  for (const path of [...f.fdPaths, ...f.mapPaths]) {
    try {
      const s = statSync(path);
      if (deviceText(s.dev) !== f.dev || s.ino !== f.ino) continue; // the descriptor was reused meanwhile
      st = s;
      via = path;
      fsType = Number(statfsSync(path).type);
      break;
    } catch {
      /* gone, or map_files without CAP_SYS_ADMIN */
    }
  }
  const hugetlb = fsType === HUGETLBFS_MAGIC || f.path.toString('latin1') === '/anon_hugepage';
  // a removed file of a disk file system is no shared memory; one not looked at is kept when maps says so
  if (f.kind === 'deleted') {
    if (fsType === null && !sharedMemoryDevices(f.view).has(f.dev)) return null;
    if (fsType !== null && fsType !== TMPFS_MAGIC && fsType !== HUGETLBFS_MAGIC) return null;
    if (st && st.nlink > 0) return null; // a name ending in " (deleted)", still linked
  }
  const holders = [...f.holders.values()].sort((a, b) => a.pid - b.pid);
  const [major, minor] = f.dev.split(':').map((x) => parseInt(x, 16)) as [number, number];
  const name =
    f.kind === 'anon'
      ? hugetlb
        ? '[shared anonymous, huge pages]'
        : '[shared anonymous]'
      : escapeBytes(f.kind === 'memfd' ? f.path.subarray(1) : f.path);
  return {
    kind: f.kind,
    name,
    dev: st ? st.dev : major * 256 + (minor & 0xff) + (minor >> 8) * 0x100000,
    ino: f.ino,
    size: st ? st.size : f.extent,
    allocated: st ? st.blocks * 512 : null,
    mode: st ? st.mode & 0o7777 : 0,
    uid: st ? st.uid : (f.holderUid ?? 0),
    gid: st ? st.gid : 0,
    atime: st ? Math.floor(st.atimeMs / 1000) : 0,
    mtime: st ? Math.floor(st.mtimeMs / 1000) : 0,
    ctime: st ? Math.floor(st.ctimeMs / 1000) : 0,
    statted: st !== null,
    hugetlb,
    seals: f.kind === 'memfd' && via?.includes('/fd/') ? sealsOf(via, f) : null,
    holders,
    unreadable: 0,
    via,
    mappedBy: holders.filter((h) => h.mappings > 0).map((h) => h.pid),
  };
}

const mountDevices = new Map<string, Set<string>>();

/** The devices ("MAJ:MIN") of the tmpfs and hugetlbfs mounts a process sees (read once per mount namespace). */
function sharedMemoryDevices(view: string): Set<string> {
  let ns = '';
  try {
    ns = readlinkSync(`${view}/ns/mnt`);
  } catch {
    /* not ours to read: its mountinfo may still be */
  }
  let devices = ns ? mountDevices.get(ns) : undefined;
  if (devices) return devices;
  devices = new Set();
  try {
    // ID PARENT MAJ:MIN ROOT POINT OPTIONS ... - FSTYPE ...
    for (const m of readFileSync(`${view}/mountinfo`, 'latin1').matchAll(/^\S+ \S+ (\d+):(\d+) .*? - (tmpfs|hugetlbfs) /gm))
      devices.add(`${Number(m[1]).toString(16).padStart(2, '0')}:${Number(m[2]).toString(16).padStart(2, '0')}`);
  } catch {
    /* gone */
  }
  if (ns) mountDevices.set(ns, devices);
  return devices;
}

const SEALS = ['seal', 'shrink', 'grow', 'write', 'future_write', 'exec'];

/**
 * A memfd's seals (F_GET_SEALS), through a descriptor of our own opened by
 * the holder's /proc/PID/fd/N: read-only, never waiting, checked to be the
 * same file. null when it cannot be opened (not ours, or gone).
 */
function sealsOf(path: string, f: Found): string[] | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (deviceText(st.dev) !== f.dev || st.ino !== f.ino) return null;
    const F_GET_SEALS = 1034;
    const r = call('fcntl', T.I32, [T.I32, T.I32], [fd, F_GET_SEALS]);
    if (r.value < 0) return null;
    return SEALS.filter((_, i) => r.value & (1 << i));
  } finally {
    closeSync(fd);
  }
}
