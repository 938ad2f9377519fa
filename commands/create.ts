import { UsageError } from '../src/errors.js';
import { writeAll } from '../src/io.js';
import { IPC_PRIVATE, SHM_HUGETLB, SHM_NORESERVE } from '../src/libc.js';
import { parseKey, parseMode, parseSize } from '../src/parse.js';
import { createRandomKeySegment, createSegment, statSegment } from '../src/shm.js';
import { formatKey, permsOf } from '../src/record.js';
import { createPosix } from '../src/posix.js';
import { ftokKey, ftokOptions, posixNameOf, posixOption } from './common.js';
import { warn } from './report.js';
import type { CommandSpec, Options } from './spec.js';

const DEFAULT_MODE = 0o600;

/** create /NAME: shm_open + ftruncate, the mode set exactly; prints the name. */
function createPosixObject(text: string, opts: Options): number {
  if (args0IsNotName(text, opts)) throw new UsageError(`'${text}' is not a POSIX name: they begin with a slash (/name); segments take --key`);
  const name = posixNameOf(text);
  if (opts.hugetlb || opts.noreserve) throw new UsageError('--hugetlb and --noreserve are for System V segments');
  if (opts.size === undefined) throw new UsageError('--size SIZE is required');
  const size = parseSize(opts.size as string);
  const mode = opts.mode === undefined ? DEFAULT_MODE : parseMode(opts.mode as string);
  const result = createPosix({ name, size, mode, exclusive: opts.excl === true });
  if (!result.created && (result.mode & 0o777) !== mode) {
    warn(
      'create',
      `${name}: exists already with mode 0${(result.mode & 0o777).toString(8).padStart(3, '0')}, not the ` +
        `0${mode.toString(8).padStart(3, '0')} asked; its mode is unchanged (use --excl to insist on a new object)`,
    );
  }
  writeAll(1, `${name}\n`);
  return 0;
}

/** An operand must be a /NAME (--posix takes the name with or without its slash). */
function args0IsNotName(text: string, opts: Options): boolean {
  return opts.posix === undefined && !text.startsWith('/');
}

export const spec: CommandSpec = {
  name: 'create',
  summary: 'create a segment (or find the one with this key) and print its id; or a POSIX object, printing its name',
  usage:
    'create (--key KEY|random | --private | --ftok PATH [--proj N] | /NAME | --posix NAME) --size SIZE [--mode MODE] [--excl] [--hugetlb] [--noreserve]',
  arguments: [{ name: '[name]', description: '/NAME: create a POSIX shared memory object (shm_open) instead' }],
  options: [
    {
      flags: '-k, --key <KEY>',
      description: 'key of the segment: decimal, 0x hex or 0 octal, 32 bits, not 0; or "random" for an unused random key',
    },
    { flags: '-p, --private', description: 'a new segment with no key (IPC_PRIVATE)' },
    ...ftokOptions,
    { flags: '-s, --size <SIZE>', description: 'bytes; suffixes K M G T P E (KiB = 1024, KB = 1000), fractions with a suffix' },
    { flags: '-m, --mode <MODE>', description: 'octal permission bits 0-0777 (default 0600)' },
    posixOption,
    { flags: '-x, --excl', description: 'fail if the key (or name) exists instead of returning its segment' },
    { flags: '--hugetlb', description: 'back the segment with huge pages (SHM_HUGETLB)' },
    { flags: '--noreserve', description: 'reserve no swap space for it (SHM_NORESERVE)' },
  ],
  run(args: string[], opts: Options): number {
    const ways = [opts.key !== undefined, opts.private === true, opts.ftok !== undefined, args[0] !== undefined, opts.posix !== undefined];
    if (ways.filter(Boolean).length !== 1) throw new UsageError('give exactly one of --key KEY, --private, --ftok PATH, /NAME, --posix NAME');
    if (args[0] !== undefined || opts.posix !== undefined) return createPosixObject(args[0] ?? (opts.posix as string), opts);
    if (opts.proj !== undefined && opts.ftok === undefined) throw new UsageError('--proj goes with --ftok');
    if (opts.size === undefined) throw new UsageError('--size SIZE is required');
    const size = parseSize(opts.size as string);
    const mode = opts.mode === undefined ? DEFAULT_MODE : parseMode(opts.mode as string);
    const flags = (opts.hugetlb ? SHM_HUGETLB : 0) | (opts.noreserve ? SHM_NORESERVE : 0);
    if (opts.key === 'random') {
      writeAll(1, `${createRandomKeySegment({ size, mode, flags }).id}\n`);
      return 0;
    }
    const key = opts.private ? IPC_PRIVATE : opts.key !== undefined ? parseKey(opts.key as string) : ftokKey(opts);

    const { id, created } = createSegment({ key, size, mode, flags, exclusive: opts.excl === true });
    if (!created) {
      // shmget hands back an existing segment as it is; never let that pass
      // silently when its permissions are not the ones asked for.
      const existing = statSegment(id, { usage: false });
      if (permsOf(existing) !== mode) {
        warn(
          'create',
          `key ${formatKey(key)}: exists already (shmid ${id}) with mode ` +
            `0${permsOf(existing).toString(8).padStart(3, '0')}, not the 0${mode.toString(8).padStart(3, '0')} asked; ` +
            'its mode is unchanged (use --excl to insist on a new segment)',
        );
      }
    }
    writeAll(1, `${id}\n`);
    return 0;
  },
};
