import { describeHolders, findHeld } from '../../src/api/index.js';
import { kindOf } from '../../src/model/kinds.js';
import { nattchMismatch, unreadableText } from '../../src/model/holder.js';
import { writeAll } from '../../src/kernel/io.js';
import { systemNames } from '../../src/kernel/names.js';
import { holderColumns } from '../render/holders.js';
import { heldTargetArgument, heldTargetOf, resolveAny, stdoutIsTTY, targetOptions } from '../options/common.js';
import { askedFormat, columnContext } from '../options/output.js';
import { listingOptions, renderListing } from '../support/ls-view.js';
import { warn } from '../support/exit-status.js';
import type { CommandSpec, Options } from '../options/spec.js';

/**
 * Every process that attaches a segment (its /proc/PID/maps has the
 * segment's /SYSV entry; dest segments too), maps an object or has it open.
 * What could not be read is counted and said on stderr; so is a System V
 * count that does not add up to nattch.
 */
export const spec: CommandSpec = {
  name: 'holders',
  summary: 'list the processes that attach, map or have open a segment or object (who is still using it?)',
  usage:
    'holders (ID | /NAME | PID:FD | inode:N | --key KEY | --ftok PATH [--proj N] | --posix NAME) [--format table|lsipc|raw|export|json] [-o COLUMNS]',
  arguments: [heldTargetArgument],
  options: [
    ...targetOptions,
    ...listingOptions(
      'table: the terminal view; lsipc, raw, export, json: as ls (the default when not a terminal: lsipc)',
      'columns: PID, USER, UID, HOW, ATTACHMENTS, SINCE, COMMAND; +LIST adds; all',
    ),
    {
      flags: '--time-format <FORMAT>',
      description: 'SINCE as short, full or iso (JSON defaults to iso)',
      choices: ['short', 'full', 'iso'],
    },
  ],
  async run(args: string[], opts: Options): Promise<number> {
    const columns = holderColumns(opts.output as string | undefined);
    const format = askedFormat(opts) ?? (stdoutIsTTY() ? 'table' : 'lsipc');
    const held = heldTargetOf(args[0]);
    const record = held ? findHeld(held) : resolveAny(args[0], opts).listed();
    const report = describeHolders(record);
    const ctx = columnContext(opts, systemNames, format);
    const out = await renderListing(report.holders, columns, format, ctx, {
      noheadings: opts.noheadings === true,
      jsonKey: 'holders',
      noun: 'process',
    });
    writeAll(1, out);
    if (report.unreadable.length) warn('holders', `${unreadableText(report.unreadable)}: any of them may hold it too`);
    // a segment's nattch counts the unseen too: the mismatch, if any, says it; an object has no such count
    if (report.hidden && kindOf(report.record).kernelAttachCount(report.record) === null)
      warn('holders', `${report.hidden}: any of them may hold it too`);
    const mismatch = nattchMismatch(report);
    if (mismatch) warn('holders', `${kindOf(record).shortName(record)}: ${mismatch}`);
    return 0;
  },
};
