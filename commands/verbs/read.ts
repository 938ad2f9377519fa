import { writeAll } from '../../src/kernel/io.js';
import { parseByteCount } from '../../src/model/parse.js';
import { HexDumper } from '../render/hexdump.js';
import { findHeld, openHeld, type Region } from '../../src/api/index.js';
import { UsageError } from '../../src/model/errors.js';
import { readToFd } from '../../src/memory/transfer.js';
import { heldTargetArgument, heldTargetOf, resolveAny, targetOptions } from '../options/common.js';
import type { CommandSpec, Options } from '../options/spec.js';
import { checkSyncOptions, synchronised, synchronisedCopy, syncOptions } from '../support/sync.js';
import { progressFor, progressOptions } from '../options/progress.js';

const FORMATS = ['raw', 'hex', 'string'];
/** Text formats build output a MiB of input at a time, in one write each. */
const TEXT_CHUNK = 1024 * 1024;

// The text formats stream as the raw one does: a window in, its text out, in
// constant memory whatever the length.

function hex(region: Region, offset: number, length: number): void {
  const dumper = new HexDumper(offset, (text) => writeAll(1, text));
  region.readWindows(offset, length, TEXT_CHUNK, (view) => dumper.push(view));
  dumper.end();
}

/** Up to the first NUL (as C's "%s" would), then a newline. */
function string(region: Region, offset: number, length: number): void {
  region.readWindows(offset, length, TEXT_CHUNK, (view) => {
    const nul = view.indexOf(0);
    writeAll(1, nul < 0 ? view : view.subarray(0, nul));
    return nul < 0;
  });
  writeAll(1, '\n');
}

/** The bytes in the format asked, to stdout. */
function copyOut(region: Region, format: string, offset: number, length: number, opts: Options): void {
  if (format === 'hex') hex(region, offset, length);
  else if (format === 'string') string(region, offset, length);
  else {
    const progress = progressFor(opts, length);
    let ok = false;
    try {
      // under --lock or --wait the bytes are copied while it is held, never handed to a pipe by reference
      readToFd(region, 1, offset, length, progress?.tick, progress?.chunk, synchronisedCopy(opts));
      ok = true;
    } finally {
      progress?.end(ok);
    }
  }
}

export const spec: CommandSpec = {
  name: 'read',
  summary: 'copy bytes out of a segment or POSIX object to stdout: raw, as hexdump -C, or as a C string',
  usage:
    'read (ID | /NAME | PID:FD | inode:N | --key KEY | --ftok PATH [--proj N] | --posix NAME) [--offset N] [--length N] [--format raw|hex|string] [--lock] [--wait] [--timeout S] [--progress|--no-progress]',
  arguments: [heldTargetArgument],
  options: [
    ...targetOptions,
    { flags: '-o, --offset <N>', description: 'where to start in the segment, in bytes (default 0)' },
    { flags: '-l, --length <N>', description: 'how many bytes (default: to the end of the segment)' },
    {
      flags: '-f, --format <FORMAT>',
      description: 'raw: the bytes (default); hex: hexdump -C layout; string: up to the first NUL, then a newline',
      choices: FORMATS,
    },
    ...syncOptions('read'),
    ...progressOptions,
  ],
  async run(args: string[], opts: Options): Promise<number> {
    const offset = opts.offset === undefined ? 0 : parseByteCount(opts.offset as string, 'offset');
    const wanted = opts.length === undefined ? null : parseByteCount(opts.length as string, 'length');
    const format = (opts.format as string | undefined) ?? 'raw';
    const held = heldTargetOf(args[0]);
    if (held) {
      if (synchronisedCopy(opts)) throw new UsageError('--lock and --wait are for segments and objects: a memfd has neither');
      const region = openHeld(findHeld(held));
      try {
        const length = wanted ?? Math.max(0, region.size - offset);
        region.checkRange(offset, length);
        copyOut(region, format, offset, length, opts);
      } finally {
        region.close();
      }
      return 0;
    }
    const target = resolveAny(args[0], opts);
    checkSyncOptions(target, 'read', opts);
    target.checkRange(offset, wanted);
    const region = target.region();
    try {
      const length = wanted ?? Math.max(0, region.size - offset);
      region.checkRange(offset, length);
      await synchronised(target, 'read', opts, () => copyOut(region, format, offset, length, opts));
    } finally {
      region.close();
    }
    return 0;
  },
};
