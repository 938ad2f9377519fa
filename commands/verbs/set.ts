import { UsageError } from '../../src/model/errors.js';
import { parseGroup, parseUser } from '../../src/kernel/names.js';
import { parseMode } from '../../src/model/parse.js';
import type { SetChange as SetOptions } from '../../src/api/index.js';
import { resolveAny, targetArgument, targetOptions } from '../options/common.js';
import type { CommandSpec, Options } from '../options/spec.js';

/** USER, USER:GROUP, or :GROUP (names or numbers), as chown takes them. */
function parseOwner(text: string): Pick<SetOptions, 'uid' | 'gid'> {
  const [user, group, extra] = text.split(':');
  if (extra !== undefined || (!user && !group)) throw new UsageError(`invalid owner '${text}': use USER, USER:GROUP or :GROUP`);
  return {
    ...(user ? { uid: parseUser(user) } : {}),
    ...(group ? { gid: parseGroup(group) } : {}),
  };
}

export const spec: CommandSpec = {
  name: 'set',
  summary: "change a segment's or POSIX object's mode or owner (IPC_SET; fchmod/fchown), or lock a segment in memory (SHM_LOCK)",
  usage:
    'set (ID | /NAME | --key KEY | --ftok PATH [--proj N] | --posix NAME) [--mode MODE] [--owner USER[:GROUP]] [--lock-memory | --unlock-memory]',
  arguments: [targetArgument],
  options: [
    ...targetOptions,
    { flags: '-m, --mode <MODE>', description: 'new permission bits, octal 0-0777' },
    { flags: '-o, --owner <USER[:GROUP]>', description: 'new owner and/or group (names or numbers; :GROUP for the group alone)' },
    { flags: '--lock-memory', description: 'keep its pages in memory (SHM_LOCK; needs CAP_IPC_LOCK or RLIMIT_MEMLOCK)' },
    { flags: '--unlock-memory', description: 'let its pages be swapped again (SHM_UNLOCK)' },
  ],
  run(args: string[], opts: Options): number {
    if (opts.lockMemory && opts.unlockMemory) throw new UsageError('--lock-memory and --unlock-memory contradict each other');
    const change: SetOptions = {
      ...(opts.mode === undefined ? {} : { mode: parseMode(opts.mode as string) }),
      ...(opts.owner === undefined ? {} : parseOwner(opts.owner as string)),
    };
    const lock = opts.lockMemory ? true : opts.unlockMemory ? false : undefined;
    if (Object.keys(change).length === 0 && lock === undefined) {
      throw new UsageError('nothing to change: give --mode, --owner, --lock-memory or --unlock-memory');
    }
    const target = resolveAny(args[0], opts);
    if (!target.canLockMemory && lock !== undefined) {
      throw new UsageError('--lock-memory and --unlock-memory are for System V segments (SHM_LOCK)');
    }
    if (Object.keys(change).length) target.set(change);
    if (lock !== undefined) target.lockMemory(lock);
    return 0;
  },
};
