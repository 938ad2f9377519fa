import { decodeKey, keyFromPath, searchKey } from '../../src/api/index.js';
import { OperationError, UsageError } from '../../src/model/errors.js';
import { parseKey, parseProj } from '../../src/model/parse.js';
import { formatKey } from '../../src/model/record.js';
import { escapeBytes, jsonSafe, plainText, terminalSafe } from '../../src/model/text.js';
import { writeAll } from '../../src/kernel/io.js';
import { DEFAULT_PROJ } from '../options/common.js';
import { warn } from '../support/exit-status.js';
import type { CommandSpec, Options } from '../options/spec.js';

const hex = (n: number, digits: number): string => '0x' + n.toString(16).padStart(digits, '0');

/**
 * `key decode KEY [--search DIR]`: the parts of a key ftok(3) could have made
 * (src/ops/ftok.ts), and the files under DIR that make it; `key ftok PATH [--proj
 * N]`: the key a file makes. Found nothing under DIR: exit 1, like grep.
 */
export const spec: CommandSpec = {
  name: 'key',
  summary: 'decode a key into the parts ftok(3) made it from, and find the files that make it (which application owns 0x4e0c0002?)',
  usage: 'key (decode KEY [--search DIR] | ftok PATH [--proj N]) [--json]',
  arguments: [
    { name: '<action>', description: 'decode (a key into its parts) or ftok (a file into its key)', choices: ['decode', 'ftok'] },
    { name: '<operand>', description: 'the key (decimal, 0x hex or 0 octal), or the path' },
  ],
  options: [
    { flags: '-s, --search <DIR>', description: 'decode: walk DIR for the files (and directories) whose ftok gives KEY' },
    { flags: '--proj <N>', description: 'ftok: project id, 1-255 or one character (default 1)' },
    { flags: '-j, --json', description: 'as JSON' },
  ],
  run(args: string[], opts: Options): number {
    const [action, operand] = args as [string, string];
    if (action === 'ftok') {
      if (opts.search !== undefined) throw new UsageError('--search goes with decode');
      const key = keyFromPath(operand, opts.proj === undefined ? DEFAULT_PROJ : parseProj(opts.proj as string));
      writeAll(1, opts.json ? `{"key": "${formatKey(key)}"}\n` : `${formatKey(key)}\n`);
      return 0;
    }
    if (action !== 'decode') throw new UsageError(`unknown action '${action}': decode or ftok`);
    if (opts.proj !== undefined) throw new UsageError('--proj goes with ftok (a key carries its own)');
    const d = decodeKey(parseKey(operand));
    const found = opts.search === undefined ? null : searchKey(d.key, opts.search as string);
    const paths = found?.paths.map((p) => escapeBytes(p)) ?? [];
    if (opts.json) {
      const o: Record<string, unknown> = { key: formatKey(d.key), proj: d.proj, device_low: d.deviceLow, inode_low: d.inodeLow };
      if (found) Object.assign(o, { files: paths.map((p) => ({ path: plainText(p), proj: d.proj })), unreadable: found.unreadable });
      writeAll(1, jsonSafe(JSON.stringify(o, null, 2)) + '\n');
    } else {
      const lines = [
        `key      ${formatKey(d.key)}`,
        `proj     ${d.proj}${d.proj === 0 ? ' (ftok takes 1-255: a proj of 0 is no ftok key)' : ''}`,
        `device   ${hex(d.deviceLow, 2)} (the low 8 bits of the file's st_dev)`,
        `inode    ${hex(d.inodeLow, 4)} (the low 16 bits of the file's st_ino)`,
        ...paths.map((p) => `file     ${terminalSafe(p)} (proj ${d.proj})`),
      ];
      writeAll(1, lines.join('\n') + '\n');
    }
    if (found?.unreadable)
      warn('key', `${found.unreadable} director${found.unreadable === 1 ? 'y' : 'ies'} under ${opts.search} could not be read`);
    if (found && !paths.length) throw new OperationError(`key ${formatKey(d.key)}`, `no file under ${opts.search} makes it`);
    return 0;
  },
};
