import { LockTimeout, UsageError } from '../src/errors.js';
import { SegmentLock, type LockMode } from '../src/lock.js';
import { parseSeconds } from '../src/parse.js';
import { lockKeyOf, PosixLock, readPosixLocks, statPosix } from '../src/posix.js';
import { describeId } from '../src/shm.js';
import { runChild } from './child.js';
import { resolveAny, targetArgument, targetOptions, type Target } from './common.js';
import type { CommandSpec, Options } from './spec.js';

/** --timeout in milliseconds, or null to wait for ever. */
export function timeoutMs(opts: Options): number | null {
  return opts.timeout === undefined ? null : parseSeconds(opts.timeout as string) * 1000;
}

/** Take the lock of a segment or object, or fail with LockTimeout (exit status 75). */
export async function takeLock(target: Target, mode: LockMode, timeout: number | null, asked = timeout): Promise<{ release(): void }> {
  if (target.kind === 'posix') {
    const lock = await PosixLock.acquire(target.name, mode, timeout);
    if (lock) return lock;
    const s = readPosixLocks().get(lockKeyOf(statPosix(target.name)));
    const held = s ? ` (held ${s.state}${s.holders > 1 ? ` by ${s.holders}` : ''})` : '';
    throw new LockTimeout(target.name, `timed out after ${(asked ?? 0) / 1000} s waiting for the ${mode} lock${held}`);
  }
  const id = target.id;
  const lock = await SegmentLock.open(id);
  if (!(await lock.acquire(mode, timeout))) {
    const s = lock.state();
    throw new LockTimeout(
      describeId(id),
      `timed out after ${(asked ?? 0) / 1000} s waiting for the ${mode} lock (held ${s.state}${s.holders > 1 ? ` by ${s.holders}` : ''})`,
    );
  }
  return lock;
}

/** What a command run with the target held learns of it. */
export function targetEnv(t: Target): Record<string, string> {
  return t.kind === 'posix' ? { SHMCTL_TS_NAME: t.name } : { SHMCTL_TS_SHMID: String(t.id) };
}

export const spec: CommandSpec = {
  name: 'lock',
  summary: 'run a command while holding the segment\'s lock (like flock(1)); crash-safe',
  usage: 'lock (ID | /NAME | --key KEY | --ftok PATH [--proj N] | --posix NAME) [--timeout SECONDS] [--shared] -- CMD ARGS...',
  arguments: [targetArgument],
  trailingCommand: true,
  options: [
    ...targetOptions,
    { flags: '-t, --timeout <SECONDS>', description: 'give up waiting after this long (exit status 75)' },
    { flags: '-s, --shared', description: 'a shared (reader) lock: many at once, but never with an exclusive one' },
  ],
  async run(args: string[], opts: Options, command: string[]): Promise<number> {
    if (!command.length) throw new UsageError('give the command to run: lock ID -- CMD ARGS...');
    const timeout = timeoutMs(opts);
    const target = resolveAny(args[0], opts);
    const lock = await takeLock(target, opts.shared ? 'shared' : 'exclusive', timeout);
    try {
      return await runChild(command, { who: 'lock', env: targetEnv(target) });
    } finally {
      lock.release();
    }
  },
};
