import { writeAll } from '../src/io.js';
import { parseByteCount } from '../src/parse.js';
import { HexDumper } from '../src/render/hexdump.js';
import { Attachment } from '../src/shm.js';
import { forEachView, readToFd } from '../src/transfer.js';
import { resolveTarget, targetOptions } from './common.js';
import type { CommandSpec, Options } from './spec.js';
import { synchronised, syncOptions } from './sync.js';

const FORMATS = ['raw', 'hex', 'string'];
/** Text formats build output a MiB of input at a time, in one write each. */
const TEXT_CHUNK = 1024 * 1024;

function hex(att: Attachment, offset: number, length: number): void {
  const dumper = new HexDumper(offset);
  forEachView(att, offset, length, TEXT_CHUNK, (view) => writeAll(1, dumper.push(view)));
  writeAll(1, dumper.end());
}

/** Up to the first NUL (as C's "%s" would), then a newline. */
function string(att: Attachment, offset: number, length: number): void {
  const parts: Buffer[] = [];
  forEachView(att, offset, length, TEXT_CHUNK, (view) => {
    const nul = view.indexOf(0);
    parts.push(Buffer.from(nul < 0 ? view : view.subarray(0, nul)));
    return nul < 0;
  });
  parts.push(Buffer.from('\n'));
  writeAll(1, Buffer.concat(parts));
}

export const spec: CommandSpec = {
  name: 'read',
  summary: 'copy bytes out of a segment to stdout: raw, as hexdump -C, or as a C string',
  usage: 'read (ID | --key KEY | --ftok PATH [--proj N]) [--offset N] [--length N] [--format raw|hex|string] [--lock] [--wait] [--timeout S]',
  arguments: [{ name: '[id]', description: 'shmid of the segment' }],
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
  ],
  async run(args: string[], opts: Options): Promise<number> {
    const offset = opts.offset === undefined ? 0 : parseByteCount(opts.offset as string, 'offset');
    const wanted = opts.length === undefined ? null : parseByteCount(opts.length as string, 'length');
    const format = (opts.format as string | undefined) ?? 'raw';
    const id = resolveTarget(args[0], opts);
    const att = Attachment.attach(id, { readonly: true });
    try {
      const length = wanted ?? Math.max(0, att.size - offset);
      att.checkRange(offset, length);
      await synchronised(id, 'read', opts, () => {
        if (format === 'hex') hex(att, offset, length);
        else if (format === 'string') string(att, offset, length);
        else readToFd(att, 1, offset, length);
      });
    } finally {
      att.detach();
    }
    return 0;
  },
};
