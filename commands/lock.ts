import { LockTimeout, UsageError } from '../src/errors.js';
import { SegmentLock, type LockMode } from '../src/lock.js';
import { parseSeconds } from '../src/parse.js';
import { describeId } from '../src/shm.js';
import { runChild } from './child.js';
import { resolveTarget, targetOptions } from './common.js';
import type { CommandSpec, Options } from './spec.js';

/** --timeout in milliseconds, or null to wait for ever. */
export function timeoutMs(opts: Options): number | null {
  return opts.timeout === undefined ? null : parseSeconds(opts.timeout as string) * 1000;
}

/** Take the segment's lock or fail with LockTimeout (exit status 75). */
export async function takeLock(id: number, mode: LockMode, timeout: number | null, asked = timeout): Promise<SegmentLock> {
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

export const spec: CommandSpec = {
  name: 'lock',
  summary: 'run a command while holding the segment\'s lock (like flock(1)); crash-safe',
  usage: 'lock (ID | --key KEY | --ftok PATH [--proj N]) [--timeout SECONDS] [--shared] -- CMD ARGS...',
  arguments: [{ name: '[id]', description: 'shmid of the segment' }],
  trailingCommand: true,
  options: [
    ...targetOptions,
    { flags: '-t, --timeout <SECONDS>', description: 'give up waiting after this long (exit status 75)' },
    { flags: '-s, --shared', description: 'a shared (reader) lock: many at once, but never with an exclusive one' },
  ],
  async run(args: string[], opts: Options, command: string[]): Promise<number> {
    if (!command.length) throw new UsageError('give the command to run: lock ID -- CMD ARGS...');
    const timeout = timeoutMs(opts);
    const id = resolveTarget(args[0], opts);
    const lock = await takeLock(id, opts.shared ? 'shared' : 'exclusive', timeout);
    try {
      return await runChild(command, { who: 'lock', env: { SHMCTL_TS_SHMID: String(id) } });
    } finally {
      lock.release();
    }
  },
};
