import { UsageError } from '../../src/model/errors.js';
import { execInPlace, whereTheMemoryIs } from '../support/child.js';
import { resolveAny, targetArgument, targetOptions } from '../options/common.js';
import type { CommandSpec, Options } from '../options/spec.js';
import { takeLock, timeoutMs } from '../support/sync.js';

export const spec: CommandSpec = {
  name: 'lock',
  summary: "run a command while holding the segment's lock (like flock(1)); held until the command ends, whatever kills what",
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
    // This process becomes the command (execve), so the lock is the command's
    // own: a segment's semaphore undo and an object's flock descriptor both
    // survive exec, and go only when the command ends — killing "us" kills it.
    try {
      return execInPlace(whereTheMemoryIs(command), { who: 'lock', env: target.env, keepFd: lock.fd });
    } finally {
      lock.release();
    }
  },
};
