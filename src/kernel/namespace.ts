/**
 * Namespaces. Linux keeps them per thread: unshare(2) here moves only the
 * calling thread — Node's main thread, where every call of ours runs — and a
 * command exec'd from it afterwards starts inside.
 */
import { call, fail, T } from './ffi.js';

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
