import { UsageError } from '../src/errors.js';
import { writeAll } from '../src/io.js';
import { IPC_PRIVATE, SHM_HUGETLB, SHM_NORESERVE } from '../src/libc.js';
import { parseKey, parseMode, parseSize } from '../src/parse.js';
import { createRandomKeySegment, createSegment, statSegment } from '../src/shm.js';
import { formatKey, permsOf } from '../src/record.js';
import { ftokKey, ftokOptions } from './common.js';
import { warn } from './report.js';
import type { CommandSpec, Options } from './spec.js';

const DEFAULT_MODE = 0o600;

export const spec: CommandSpec = {
  name: 'create',
  summary: 'create a segment (or find the one with this key) and print its id',
  usage: 'create (--key KEY|random | --private | --ftok PATH [--proj N]) --size SIZE [--mode MODE] [--excl] [--hugetlb] [--noreserve]',
  arguments: [],
  options: [
    {
      flags: '-k, --key <KEY>',
      description: 'key of the segment: decimal, 0x hex or 0 octal, 32 bits, not 0; or "random" for an unused random key',
    },
    { flags: '-p, --private', description: 'a new segment with no key (IPC_PRIVATE)' },
    ...ftokOptions,
    { flags: '-s, --size <SIZE>', description: 'bytes; suffixes K M G T P E (KiB = 1024, KB = 1000), fractions with a suffix' },
    { flags: '-m, --mode <MODE>', description: 'octal permission bits 0-0777 (default 0600)' },
    { flags: '-x, --excl', description: 'fail if the key exists instead of returning its segment' },
    { flags: '--hugetlb', description: 'back the segment with huge pages (SHM_HUGETLB)' },
    { flags: '--noreserve', description: 'reserve no swap space for it (SHM_NORESERVE)' },
  ],
  run(_args: string[], opts: Options): number {
    const ways = [opts.key !== undefined, opts.private === true, opts.ftok !== undefined].filter(Boolean).length;
    if (ways !== 1) throw new UsageError('give exactly one of --key KEY, --private, --ftok PATH');
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
