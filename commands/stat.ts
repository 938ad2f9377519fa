import { writeAll } from '../src/io.js';
import { systemNames } from '../src/names.js';
import { renderDetail } from '../src/render/detail.js';
import { renderIpcsDetail } from '../src/render/ipcs.js';
import { renderJsonSegment } from '../src/render/json.js';
import { statSegment } from '../src/shm.js';
import { chooseFormat, resolveTarget, stdoutIsTTY, targetOptions } from './common.js';
import type { CommandSpec, Options } from './spec.js';

const FORMATS = ['detail', 'ipcs', 'json'];

export const spec: CommandSpec = {
  name: 'stat',
  summary: 'show every IPC_STAT field of one segment, with names, status and times',
  usage: 'stat (ID | --key KEY | --ftok PATH [--proj N]) [--format detail|ipcs|json] [--json]',
  arguments: [{ name: '[id]', description: 'shmid of the segment' }],
  options: [
    ...targetOptions,
    {
      flags: '-f, --format <FORMAT>',
      description: 'detail: labelled fields (the default); ipcs: byte for byte what ipcs -m -i ID prints; json',
      choices: FORMATS,
    },
    { flags: '-j, --json', description: 'same as --format json' },
  ],
  async run(args: string[], opts: Options): Promise<number> {
    const format = chooseFormat(opts, FORMATS, 'detail', 'detail');
    const record = statSegment(resolveTarget(args[0], opts));
    let out: string;
    if (format === 'ipcs') out = renderIpcsDetail(record);
    else if (format === 'json') out = renderJsonSegment(record, systemNames);
    else out = await renderDetail(record, systemNames, { color: stdoutIsTTY() });
    writeAll(1, out);
    return 0;
  },
};
