import { writeAll } from '../src/io.js';
import { systemNames } from '../src/names.js';
import { readProcShm } from '../src/proc.js';
import { renderIpcsDefault } from '../src/render/ipcs.js';
import { renderJsonList } from '../src/render/json.js';
import { chooseFormat, stdoutIsTTY } from './common.js';
import type { CommandSpec, Options } from './spec.js';

const FORMATS = ['ipcs', 'table', 'json'];

export const spec: CommandSpec = {
  name: 'ls',
  summary: 'list segments with the columns and values of ipcs -m',
  usage: 'ls [--format ipcs|table|json] [--json]',
  arguments: [],
  options: [
    {
      flags: '-f, --format <FORMAT>',
      description: 'ipcs: byte for byte what ipcs -m prints (the default when not a terminal); table: the terminal view; json',
      choices: FORMATS,
    },
    { flags: '-j, --json', description: 'same as --format json: {"sharedmemory": [...]} with typed values' },
  ],
  async run(_args: string[], opts: Options): Promise<number> {
    const format = chooseFormat(opts, FORMATS, 'table', 'ipcs');
    const records = readProcShm();
    let out: string;
    if (format === 'ipcs') out = renderIpcsDefault(records, systemNames);
    else if (format === 'json') out = renderJsonList(records, systemNames);
    else {
      const { renderTable } = await import('../src/render/table.js');
      out = await renderTable(records, systemNames, { color: stdoutIsTTY() });
    }
    writeAll(1, out);
    return 0;
  },
};
