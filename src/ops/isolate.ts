/**
 * `run --isolate`: the job gets an IPC namespace and a /dev/shm of its own, so
 * that everything it makes goes with it, however it ends. Root (CAP_SYS_ADMIN)
 * makes them directly; anyone else through an unprivileged user namespace,
 * where the kernel allows one (then the job runs as root of that namespace,
 * which is the caller outside it).
 */
import { createRequire } from 'node:module';
import { unshareIpcAndShm } from '../kernel/namespace.js';
import { Errno, hasErrno, ShmError } from '../model/errors.js';
import { SHM_DIR } from '../model/record.js';

/** Into a private IPC namespace with a private tmpfs on /dev/shm: true, or false when not permitted (EPERM). */
export function isolate(): boolean {
  try {
    unshareIpcAndShm(SHM_DIR);
    return true;
  } catch (e) {
    if (hasErrno(e, Errno.EPERM)) return false;
    throw e;
  }
}

/**
 * The command line that runs `inner` in a new user namespace (mapped to the
 * caller) with its own IPC and mount namespaces, by util-linux's unshare(1);
 * tried first, so that a kernel that refuses says so in one line.
 */
export function userNamespaceCommand(inner: string[]): string[] {
  const base = ['unshare', '--user', '--map-root-user', '--ipc', '--mount', '--propagation', 'private'];
  // child_process (and the streams it brings) only here: not at every start
  const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  const trial = spawnSync(base[0]!, [...base.slice(1), '--', 'true'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (trial.error || trial.status !== 0) {
    const why = trial.error ? `unshare(1) cannot be run (${trial.error.message})` : (trial.stderr.trim().split('\n')[0] ?? 'refused');
    throw new ShmError(
      'unshare',
      Errno.EPERM,
      'cannot isolate the job',
      `needs root, or unprivileged user namespaces, which this system refuses: ${why}`,
    );
  }
  return [...base, '--', ...inner];
}
