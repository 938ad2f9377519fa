/**
 * Running CMD for attach and lock: stdio shared, SIGINT/SIGTERM/SIGHUP/SIGQUIT passed
 * on, and CMD's status as ours (128+N when signal N killed it, 127 when it was
 * not found, 126 when it could not be run).
 */
import { createRequire } from 'node:module';
import { Errno, hasErrno, ShmError } from '../../src/model/errors.js';
import { enteredMountNamespace } from '../../src/api/index.js';
import { execvpe, inForeground, keepAcrossExec } from '../../src/kernel/process.js';
import { warn } from './exit-status.js';

/**
 * A command for attach and lock to run where the memory is: with --ns PID it
 * runs in that process's IPC namespace (ours, entered) and its mount
 * namespace too (nsenter --mount, as `nsenter --ipc --mount` would), so that
 * its /dev/shm/NAME is the container's object, not ours.
 */
export function whereTheMemoryIs(command: string[]): string[] {
  const mounts = enteredMountNamespace();
  return mounts ? ['nsenter', `--mount=${mounts}`, '--', ...command] : command;
}

/** What timeout(1) exits with when the time runs out on a command. */
const EXIT_TIMEOUT = 124;
export const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
/** The terminal's own: sent to its whole foreground group, so the command has them already when we are in it. */
const TERMINAL_SIGNALS = new Set<string>(['SIGINT', 'SIGHUP', 'SIGQUIT']);

export function runChild(
  command: string[],
  opts: {
    who: string;
    env: Record<string, string>;
    timeoutMs?: number;
    onStart?: (pid: number) => void;
    /** Signals passed on to the command (and survived here) besides STOP_SIGNALS. */
    alsoPassed?: NodeJS.Signals[];
  },
): Promise<number> {
  return new Promise((resolve) => {
    let timedOut = false;
    // child_process (and the net and stream modules it brings) only when a child runs
    const { spawn } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
    const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env: { ...process.env, ...opts.env } });
    if (child.pid !== undefined) opts.onStart?.(child.pid);
    // The child is in our process group: what the terminal sends (Ctrl-C,
    // Ctrl-\\, hang-up) reaches it already, so only signals sent to us alone
    // are passed on. Which is which cannot be told apart in Node; while we are
    // the terminal's foreground group, SIGINT and SIGHUP are taken to be the
    // terminal's (as system(3) does, which ignores SIGINT while it waits).
    const forward = (signal: NodeJS.Signals): void => {
      if (TERMINAL_SIGNALS.has(signal) && inForeground()) return;
      child.kill(signal);
    };
    const passed = [...STOP_SIGNALS, ...(opts.alsoPassed ?? [])];
    for (const s of passed) process.on(s, forward);
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
          }, opts.timeoutMs);
    const done = (status: number): void => {
      if (timer) clearTimeout(timer);
      for (const s of passed) process.removeListener(s, forward);
      resolve(status);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      const missing = hasErrno(e, Errno.ENOENT);
      warn(opts.who, `cannot run ${command[0]}: ${missing ? 'command not found' : e.message}`);
      done(missing ? 127 : 126);
    });
    child.on('exit', (code, signal) => {
      if (timedOut) done(EXIT_TIMEOUT);
      else done(code ?? 128 + (signal ? signalNumber(signal) : 0));
    });
  });
}

/** node:os only when a child died of a signal: it is not loaded at start-up otherwise. */
function signalNumber(signal: NodeJS.Signals): number {
  const os = createRequire(import.meta.url)('node:os') as typeof import('node:os');
  return os.constants.signals[signal];
}

/**
 * Become `command` (execvp): nothing of shmctl-ts stays between the command
 * and its caller, so its status, its signals and its end are its own. `keepFd`
 * is a descriptor the command inherits. Returns only when the command could
 * not be started: 127 when it was not found, 126 otherwise.
 */
export function execInPlace(command: string[], opts: { who: string; env: Record<string, string>; keepFd?: number | null }): number {
  if (opts.keepFd !== undefined && opts.keepFd !== null && opts.keepFd >= 0) keepAcrossExec(opts.keepFd);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  try {
    execvpe(command, { ...env, ...opts.env });
  } catch (e) {
    if (!(e instanceof ShmError)) throw e;
    const notFound = e.errno === Errno.ENOENT;
    warn(opts.who, `cannot run ${command[0]}: ${notFound ? 'command not found' : e.reason}`);
    return notFound ? 127 : 126;
  }
}
