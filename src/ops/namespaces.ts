/**
 * Other IPC namespaces (containers): entering one for a whole command, and
 * visiting each in turn for a listing.
 *
 * Linux keeps namespaces per thread. shmctl-ts makes every system call and
 * every synchronous /proc read on the main thread, so setns(2) there moves all
 * of them: the shm and sem calls and /proc/sysvipc/* then see the namespace
 * entered, and /proc/sys/kernel/shm* its limits. Nothing runs on another thread
 * (no asynchronous file or FFI call) while inside. POSIX objects are files of
 * a mount namespace's /dev/shm: they are reached by path through
 * /proc/PID/root/dev/shm, which leaves every other path (a --file, an --ftok
 * path) the caller's own.
 */
import { readdirSync, readlinkSync, statfsSync, statSync } from 'node:fs';
import { readCommandLine } from '../kernel/processes.js';
import { closeNamespace, enterIpcNamespace, joinIpcNamespace, openInRoot, openNamespace, openPath } from '../kernel/namespace.js';
import { Errno, hasErrno, OperationError, ShmError } from '../model/errors.js';
import { SHM_DIR, type NamespaceTag } from '../model/record.js';
import { shmDir, shmDirName, useShmDir } from '../posix/name.js';

/** --ns: a process (its IPC namespace, its /dev/shm) or a namespace file (IPC only). */
export type NamespaceSpec = { pid: number } | { path: string };

/** "ipc:[4026531839]" → 4026531839 */
const inodeOf = (link: string): number => Number(/\[(\d+)\]/.exec(link)?.[1] ?? 0);

let entered: NamespaceTag | null = null;

/** The namespace enterNamespace moved us into, if any (pid 0 for a namespace file). */
export function enteredNamespace(): NamespaceTag | null {
  return entered;
}

/** Enter it for the rest of this process's life (a command's whole run). */
export function enterNamespace(spec: NamespaceSpec): NamespaceTag {
  const path = 'pid' in spec ? `/proc/${spec.pid}/ns/ipc` : spec.path;
  const what = 'pid' in spec ? `the IPC namespace of pid ${spec.pid}` : `the IPC namespace ${spec.path}`;
  let inode: number;
  try {
    const st = statSync(path);
    // a namespace file is a regular (nsfs) file: anything else (a FIFO, a device) is refused before it is opened
    if (!st.isFile()) throw new ShmError('setns', Errno.EINVAL, `cannot enter ${what}`, 'not an IPC namespace');
    inode = st.ino;
    enterIpcNamespace(path);
  } catch (e) {
    throw explainEnter(e, what);
  }
  const pid = 'pid' in spec ? spec.pid : Number(/^\/proc\/(\d+)\/ns\/ipc$/.exec(path)?.[1] ?? '0');
  if (pid > 0) {
    const shm = containedShmDir(pid);
    useShmDir(shm.dir, shm.reason, { name: `/proc/${pid}/root${SHM_DIR}`, refusal: true });
  } else useShmDir(null, `${path} is an IPC namespace only: for POSIX objects give --ns PID (a process in the namespace)`);
  entered = { inode, pid };
  return entered;
}

/** The mount namespace file of the process whose IPC namespace we entered (for a command run inside: attach, lock). */
export function enteredMountNamespace(): string | null {
  if (!entered || entered.pid <= 0) return null;
  // the process must still be the one entered (its IPC namespace unchanged): a pid reused since is never followed
  try {
    if (statSync(`/proc/${entered.pid}/ns/ipc`).ino !== entered.inode) return null;
  } catch {
    return null;
  }
  return `/proc/${entered.pid}/ns/mnt`;
}

const TMPFS_MAGIC = 0x01021994;

/**
 * A process's /dev/shm, resolved inside its root (openat2 RESOLVE_IN_ROOT):
 * a symbolic link there (or on the way: /dev, /dev/shm → /run/shm) never
 * leads to the caller's files, and it must be a tmpfs directory. The path is
 * the descriptor's (/proc/self/fd/N, kept open for the run), so that every
 * later open, unlink or listing goes to that very directory; or null with the
 * reason it is refused.
 */
function containedShmDir(pid: number): { dir: string | null; reason: string } {
  const refuse = (reason: string): { dir: null; reason: string } => ({ dir: null, reason });
  let root: number;
  try {
    root = openPath(`/proc/${pid}/root`);
  } catch {
    return refuse(`cannot reach the root of pid ${pid} (gone, or not ours to see)`);
  }
  let fd: number;
  try {
    fd = openInRoot(root, SHM_DIR.slice(1));
  } catch (e) {
    if (hasErrno(e, Errno.ENOENT, Errno.ENOTDIR))
      return refuse(`pid ${pid} has no ${SHM_DIR} inside its root (a link there leads nowhere inside it)`);
    if (hasErrno(e, Errno.ENOSYS))
      return refuse(`this kernel cannot resolve a path inside another root (openat2, Linux 5.6): POSIX objects are not reached`);
    return refuse(`its ${SHM_DIR} cannot be resolved inside its root (${(e as Error).message})`);
  } finally {
    closeNamespace(root);
  }
  const dir = `/proc/self/fd/${fd}`;
  try {
    if (!statSync(dir).isDirectory()) throw new OperationError(dir, 'not a directory');
    const type = statfsSync(dir).type;
    if (type !== TMPFS_MAGIC) {
      closeNamespace(fd);
      return refuse(`is not a tmpfs (file system type 0x${type.toString(16)}): refusing to touch it`);
    }
  } catch (e) {
    closeNamespace(fd);
    return refuse(`is not a directory that can be used (${(e as Error).message})`);
  }
  return { dir, reason: '' };
}

function explainEnter(e: unknown, what: string): unknown {
  if (hasErrno(e, Errno.EPERM, Errno.EACCES))
    return new ShmError('setns', Errno.EPERM, `cannot enter ${what}`, 'permission denied: entering a namespace needs root (CAP_SYS_ADMIN)');
  if (hasErrno(e, Errno.ENOENT)) return new ShmError('setns', Errno.ESRCH, `cannot enter ${what}`, 'no such process or file');
  if (hasErrno(e, Errno.EINVAL)) return new ShmError('setns', Errno.EINVAL, `cannot enter ${what}`, 'not an IPC namespace');
  return e;
}

interface IpcNamespace {
  inode: number;
  /** Its processes this user may see, lowest pid first. */
  pids: number[];
  /** The one that stands for it: the lowest pid with a command line (kernel threads have none). */
  pid: number;
}

/** Every IPC namespace a process of which this user may look at, ours first. */
export function ipcNamespaces(): { namespaces: IpcNamespace[]; unreadable: number } {
  const byInode = new Map<number, number[]>();
  let unreadable = 0;
  const pids = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .sort((a, b) => a - b);
  for (const pid of pids) {
    let link: string;
    try {
      link = readlinkSync(`/proc/${pid}/ns/ipc`);
    } catch (e) {
      if (!hasErrno(e, Errno.ENOENT)) unreadable++;
      continue;
    }
    const list = byInode.get(inodeOf(link)) ?? [];
    list.push(pid);
    byInode.set(inodeOf(link), list);
  }
  const own = inodeOf(readlinkSync('/proc/self/ns/ipc'));
  const namespaces = [...byInode].map(([inode, list]) => ({
    inode,
    pids: list,
    pid: list.find((pid) => readCommandLine(pid) !== null) ?? list[0]!,
  }));
  namespaces.sort((a, b) => (a.inode === own ? -1 : b.inode === own ? 1 : a.inode - b.inode));
  return { namespaces, unreadable };
}

/**
 * Run `visit` inside each of these namespaces in turn, with that namespace's
 * /dev/shm (`objects` false when it has none, or one already visited: objects
 * belong to a mount namespace, and each is listed once), and come back to
 * where we were. A namespace that cannot be entered (not root) is skipped
 * and counted.
 */
export function inEachNamespace<T>(
  namespaces: IpcNamespace[],
  visit: (tag: NamespaceTag, objects: boolean) => T,
): { results: T[]; refused: number } {
  // the way back, opened before leaving: /proc/self/ns/ipc follows us
  const home = openNamespace('/proc/self/ns/ipc');
  const homeInode = statSync('/proc/self/ns/ipc').ino;
  const homeDir = shmDir();
  const homeName = shmDirName();
  const seenDirs = new Set<number>();
  const results: T[] = [];
  let refused = 0;
  try {
    for (const ns of namespaces) {
      const pid = ns.pid;
      const away = ns.inode !== homeInode;
      try {
        if (away) enterIpcNamespace(`/proc/${pid}/ns/ipc`);
      } catch (e) {
        if (hasErrno(e, Errno.EPERM, Errno.EACCES, Errno.ENOENT)) {
          refused++;
          continue;
        }
        throw e;
      }
      // another namespace's /dev/shm only as resolved inside its process's root (containedShmDir), a tmpfs
      const contained = ns.inode === homeInode ? { dir: homeDir, reason: '' } : containedShmDir(pid);
      try {
        const dir = contained.dir;
        let dev: number | null = null;
        try {
          if (dir !== null) dev = statSync(dir).dev;
        } catch {
          /* no /dev/shm there, or not ours to see */
        }
        const objects = dev !== null && !seenDirs.has(dev);
        if (dev !== null) seenDirs.add(dev);
        useShmDir(objects ? dir : null, contained.reason || 'no /dev/shm of its own', { name: `/proc/${pid}/root${SHM_DIR}` });
        results.push(visit({ inode: ns.inode, pid }, objects));
      } finally {
        // joining even our own namespace needs CAP_SYS_ADMIN: only when we left it
        if (away) joinIpcNamespace(home);
        useShmDir(homeDir, '', { name: homeName });
        if (contained.dir !== null && contained.dir !== homeDir) closeNamespace(Number(contained.dir.slice('/proc/self/fd/'.length)));
      }
    }
  } finally {
    closeNamespace(home);
  }
  return { results, refused };
}
