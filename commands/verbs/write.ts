import { closeSync, fstatSync, openSync } from 'node:fs';
import { OperationError, UsageError } from '../../src/model/errors.js';
import { parseByteCount } from '../../src/model/parse.js';
import { currentOffset } from '../../src/kernel/io.js';
import { writeBuffer, writeFile, writeFromFd } from '../../src/memory/transfer.js';
import { resolveAny, targetArgument, targetOptions } from '../options/common.js';
import { note } from '../support/exit-status.js';
import { checkSyncOptions, synchronised, syncOptions } from '../support/sync.js';
import { progressFor, progressOptions } from '../options/progress.js';
import type { CommandSpec, Options } from '../options/spec.js';

/** Bytes left to read from a regular file at its current offset; null for pipes, terminals… */
function knownLength(fd: number, path: string): number | null {
  const st = fstatSync(fd);
  if (st.isDirectory()) throw new OperationError(path, 'is a directory');
  if (!st.isFile()) return null;
  const at = fd === 0 ? Math.max(0, currentOffset(fd)) : 0;
  return Math.max(0, st.size - at);
}

export const spec: CommandSpec = {
  name: 'write',
  summary: 'write bytes into a segment or POSIX object from a string, a file or stdin',
  usage:
    'write (ID | /NAME | --key KEY | --ftok PATH [--proj N] | --posix NAME) [--offset N] [--data STRING | --file PATH] [--lock] [--post] [--timeout S] [-v] [--progress|--no-progress]',
  arguments: [targetArgument],
  options: [
    ...targetOptions,
    { flags: '-o, --offset <N>', description: 'where to start in the segment, in bytes (suffixes as for sizes; default 0)' },
    { flags: '-d, --data <STRING>', description: 'write this string (UTF-8), no newline added' },
    { flags: '-i, --file <PATH>', description: "write this file's contents (- for stdin); stdin is the default" },
    { flags: '-v, --verbose', description: 'say how many bytes were written, on stderr' },
    ...syncOptions('write'),
    ...progressOptions,
  ],
  async run(args: string[], opts: Options): Promise<number> {
    if (opts.data !== undefined && opts.file !== undefined) throw new UsageError('give --data or --file, not both');
    const offset = opts.offset === undefined ? 0 : parseByteCount(opts.offset as string, 'offset');
    const target = resolveAny(args[0], opts);
    checkSyncOptions(target, 'write', opts);
    const data = opts.data === undefined ? null : Buffer.from(opts.data as string, 'utf8');
    const path = opts.file as string | undefined;
    // The source is opened before the segment is touched, so a bad path changes nothing.
    const fd = data || path === undefined || path === '-' ? 0 : openSync(path, 'r');
    try {
      const length = data ? data.length : knownLength(fd, fd === 0 ? 'stdin' : path!);
      // Refused before the segment is attached: a refusal changes nothing, not even its times.
      target.checkRange(offset, length === null ? 0 : length);
      const region = target.region({ write: true });
      let written: number;
      try {
        // Known length: refuse before waiting or writing anything if it does not fit.
        if (length !== null) region.checkRange(offset, length);
        const progress = progressFor(opts, length);
        let ok = false;
        try {
          written = await synchronised(target, 'write', opts, () =>
            data
              ? writeBuffer(region, offset, data, progress?.tick, progress?.chunk)
              : length !== null
                ? writeFile(region, fd, offset, length, progress?.tick, progress?.chunk) // a large one on two threads
                : writeFromFd(region, fd, offset, progress?.tick, progress?.chunk),
          );
          ok = true;
        } finally {
          progress?.end(ok);
        }
      } finally {
        await region.idle?.();
        region.close();
      }
      if (opts.verbose) note('write', `${target.subject}: wrote ${written} bytes at offset ${offset}`);
    } finally {
      if (fd !== 0) closeSync(fd);
    }
    return 0;
  },
};
