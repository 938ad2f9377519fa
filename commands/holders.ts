import { describeHolders, recordOf } from '../src/api.js';
import { nattchMismatch, unreadableText } from '../src/model/holder.js';
import { writeAll } from '../src/kernel/io.js';
import { systemNames } from '../src/names.js';
import { holderColumns } from './render/holders.js';
import { renderLsipc, type MachineFormat } from './render/lsipc.js';
import { resolveAny, stdoutIsTTY, targetArgument, targetOptions } from './common.js';
import { askedFormat, columnContext, formatShorthands } from './output.js';
import { warn } from './report.js';
import type { CommandSpec, Options } from './spec.js';

/**
 * Every process that attaches a segment (its /proc/PID/maps has the
 * segment's /SYSV entry; dest segments too), maps an object or has it open.
 * What could not be read is counted and said on stderr; so is a System V
 * count that does not add up to nattch.
 */
export const spec: CommandSpec = {
  name: 'holders',
  summary: 'list the processes that attach, map or have open a segment or object (who is still using it?)',
  usage: 'holders (ID | /NAME | --key KEY | --ftok PATH [--proj N] | --posix NAME) [--format table|lsipc|raw|export|json] [-o COLUMNS]',
  arguments: [targetArgument],
  options: [
    ...targetOptions,
    {
      flags: '-f, --format <FORMAT>',
      description: 'table: the terminal view; lsipc, raw, export, json: as ls (the default when not a terminal: lsipc)',
      choices: ['table', 'lsipc', 'raw', 'export', 'json'],
    },
    ...formatShorthands,
    { flags: '-o, --output <LIST>', description: 'columns: PID, USER, UID, HOW, ATTACHMENTS, SINCE, COMMAND; +LIST adds; all' },
    { flags: '--noheadings', description: 'no header line (lsipc formats)' },
    {
      flags: '--time-format <FORMAT>',
      description: 'SINCE as short, full or iso (JSON defaults to iso)',
      choices: ['short', 'full', 'iso'],
    },
  ],
  async run(args: string[], opts: Options): Promise<number> {
    const columns = holderColumns(opts.output as string | undefined);
    const format = askedFormat(opts) ?? (stdoutIsTTY() ? 'table' : 'lsipc');
    const target = resolveAny(args[0], opts);
    const report = describeHolders(recordOf(target));
    const ctx = columnContext(opts, systemNames, format);
    let out: string;
    if (format === 'table') {
      const { renderTable } = await import('./render/table.js');
      const cells = columns.map((c) => ({ header: c.name, right: c.right, cell: (h: (typeof report.holders)[0]) => c.text(h, ctx) }));
      out = await renderTable(report.holders, cells, { color: stdoutIsTTY(), noun: 'process' });
    } else {
      out = renderLsipc(report.holders, columns, {
        format: format as MachineFormat,
        noheadings: opts.noheadings === true,
        ctx,
        jsonKey: 'holders',
      });
    }
    writeAll(1, out);
    if (report.unreadable.length) warn('holders', `${unreadableText(report.unreadable)}: any of them may hold it too`);
    const mismatch = nattchMismatch(report);
    if (mismatch) warn('holders', `${target.subject}: ${mismatch}`);
    return 0;
  },
};
