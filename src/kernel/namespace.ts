/**
 * Namespaces. Linux keeps them per thread: unshare(2) here moves only the
 * calling thread — Node's main thread, where every call of ours runs — and a
 * command exec'd from it afterwards starts inside.
 */
import { call, fail, scratchArea, T } from './ffi.js';

const CLONE_NEWNS = 0x00020000;
const CLONE_NEWIPC = 0x08000000;
const MS_NOSUID = 0x2;
const MS_NODEV = 0x4;
const MS_REC = 0x4000;
const MS_PRIVATE = 0x40000;

/**
 * A private IPC namespace (no segment or semaphore of anyone else's) and a
 * private mount namespace with a tmpfs of its own on `shmDir`. Needs
 * CAP_SYS_ADMIN (root, or root of a user namespace): EPERM otherwise.
 */
export function unshareIpcAndShm(shmDir: string): void {
  const r = call('unshare', T.I32, [T.I32], [CLONE_NEWIPC | CLONE_NEWNS]);
  if (r.value === -1) fail('unshare', r);
  // mounts made here must not reach the namespace we came from
  const p = call('mount', T.I32, [T.U64, T.String, T.U64, T.U64, T.U64], [0, '/', 0, MS_REC | MS_PRIVATE, 0]);
  if (p.value === -1) fail('mount', p);
  const m = call(
    'mount',
    T.I32,
    [T.String, T.String, T.String, T.U64, T.String],
    ['shmctl-ts', shmDir, 'tmpfs', MS_NOSUID | MS_NODEV, 'mode=1777'],
  );
  if (m.value === -1) fail('mount', m);
}

/** A namespace file (/proc/PID/ns/ipc, or a bind mount of one), opened to join it later. */
export function openNamespace(path: string): number {
  const O_RDONLY_CLOEXEC = 0o2000000;
  const O_NONBLOCK = 0o4000; // a FIFO given as the path must not block the open
  const fd = call('open', T.I32, [T.String, T.I32], [path, O_RDONLY_CLOEXEC | O_NONBLOCK]);
  if (fd.value === -1) fail('open', fd);
  return fd.value;
}

export function closeNamespace(fd: number): void {
  call('close', T.I32, [T.I32], [fd]);
}

/**
 * Move this thread (the main thread: every call of ours) into the IPC
 * namespace `fd` stands for. Needs CAP_SYS_ADMIN over it: EPERM otherwise;
 * EINVAL when the file is another kind of namespace.
 */
export function joinIpcNamespace(fd: number): void {
  const r = call('setns', T.I32, [T.I32, T.I32], [fd, CLONE_NEWIPC]);
  if (r.value === -1) fail('setns', r);
}

/** openNamespace + joinIpcNamespace. */
export function enterIpcNamespace(path: string): void {
  const fd = openNamespace(path);
  try {
    joinIpcNamespace(fd);
  } finally {
    closeNamespace(fd);
  }
}

/**
 * Open `path` (relative) as a file of the tree whose root is `root` (an
 * O_PATH descriptor of a directory, such as /proc/PID/root): openat2(2) with
 * RESOLVE_IN_ROOT, so that every symbolic link on the way, absolute or with
 * "..", is resolved inside that root, never beyond it; and
 * RESOLVE_NO_MAGICLINKS (no jump out of it through a /proc magic link). Returns an O_PATH
 * descriptor. Linux 5.6; ENOSYS before.
 */
export function openInRoot(root: number, path: string): number {
  const SYS_OPENAT2 = 437; // the same number on x86-64 and arm64 (syscalls since 5.1 share one table)
  const O_PATH = 0o10000000;
  const O_CLOEXEC = 0o2000000;
  const RESOLVE_NO_MAGICLINKS = 0x02;
  const RESOLVE_IN_ROOT = 0x10;
  const how = scratchArea(24 + path.length + 1);
  how.view.writeBigUInt64LE(BigInt(O_PATH | O_CLOEXEC), 0);
  how.view.writeBigUInt64LE(0n, 8);
  how.view.writeBigUInt64LE(BigInt(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), 16);
  how.view.write(`${path}\0`, 24, 'latin1');
  const r = call('syscall', T.I64, [T.I64, T.I32, T.U64, T.U64, T.U64], [SYS_OPENAT2, root, how.address + 24, how.address, 24]);
  if (r.value < 0) fail('openat2', r);
  return r.value;
}

/** open(2) of a directory as an O_PATH descriptor (a place to resolve from, nothing read through it). */
export function openPath(path: string): number {
  const O_PATH = 0o10000000;
  const O_CLOEXEC = 0o2000000;
  const r = call('open', T.I32, [T.String, T.I32], [path, O_PATH | O_CLOEXEC]);
  if (r.value === -1) fail('open', r);
  return r.value;
}
