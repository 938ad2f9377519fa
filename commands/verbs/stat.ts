import { findHeld, indexHolders, lockDetail, lockStates } from '../../src/api/index.js';
import { UsageError } from '../../src/model/errors.js';
import type { HeldRecord, PosixRecord, SegmentRecord, ShmRecord } from '../../src/model/record.js';
import { writeAll } from '../../src/kernel/io.js';
import { systemNames } from '../../src/kernel/names.js';
import {
  columnByName,
  HELD_STAT_COLUMNS,
  POSIX_JSON_KEY,
  POSIX_STAT_COLUMNS,
  selectColumns,
  SYSV_COLUMNS,
  SYSV_DETAIL,
} from '../render/columns.js';
import { lsipcPosixColumns, POSIX_DETAIL } from '../render/lsipc-posix.js';
import { heldDetailLines, posixDetailLines, renderDetail, renderLines } from '../render/detail.js';
import { renderIpcsDetail } from '../render/ipcs.js';
import { renderLsipc, renderLsipcDetail, type MachineFormat } from '../render/lsipc.js';
import { heldTargetArgument, heldTargetOf, resolveAny, stdoutIsTTY, targetOptions } from '../options/common.js';
import { askedFormat, columnContext, formatShorthands, lsipcOptions, lsipcOptionsGiven, sizeUnit, unitOptions } from '../options/output.js';
import type { CommandSpec, Options } from '../options/spec.js';

const FORMATS = ['detail', 'ipcs', 'lsipc', 'raw', 'export', 'json'];

/** What stat shows of each kind: its formats (ipcs knows no objects), its detail view, its lsipc columns and JSON key. */
const VIEWS = {
  sysv: {
    formats: FORMATS,
    refusal: '',
    detail: (r: ShmRecord) => renderDetail(r as SegmentRecord, systemNames, { color: stdoutIsTTY() }),
    // raw, export and JSON: one row of every System V column unless -o says otherwise
    columns: SYSV_COLUMNS,
    json: {},
    // lsipc -m -i ID's view of one segment
    lsipcDetail: (opts: Options) => selectColumns(opts.output as string | undefined, SYSV_DETAIL),
  },
  posix: {
    formats: FORMATS.filter((f) => f !== 'ipcs'),
    refusal: '--format ipcs is for System V segments (ipcs knows no POSIX objects)',
    detail: (r: ShmRecord) => renderLines(posixDetailLines(r as PosixRecord, systemNames, lockDetail(r)), { color: stdoutIsTTY() }),
    columns: POSIX_STAT_COLUMNS,
    json: { jsonKey: POSIX_JSON_KEY },
    // lsipc -M -N NAME's view of one object
    lsipcDetail: (opts: Options) => lsipcPosixColumns({ output: opts.output as string | undefined }, POSIX_DETAIL),
  },
  // a memfd, deleted file or shared anonymous region (PID:FD, inode:N)
  held: {
    formats: FORMATS.filter((f) => f !== 'ipcs'),
    refusal: '--format ipcs is for System V segments (ipcs knows no memfds)',
    detail: (r: ShmRecord) => renderLines(heldDetailLines(r as HeldRecord, systemNames), { color: stdoutIsTTY() }),
    columns: HELD_STAT_COLUMNS,
    json: {},
    lsipcDetail: (opts: Options) => selectColumns(opts.output as string | undefined, HELD_STAT_COLUMNS),
  },
};

export const spec: CommandSpec = {
  name: 'stat',
  summary: 'show every IPC_STAT field of one segment (or what stat(2) and /proc say of a POSIX object)',
  usage:
    'stat (ID | /NAME | PID:FD | inode:N | --key KEY | --ftok PATH [--proj N] | --posix NAME) [--format detail|ipcs|lsipc|raw|export|json] [--field NAME]...',
  arguments: [heldTargetArgument],
  options: [
    ...targetOptions,
    {
      flags: '-f, --format <FORMAT>',
      description:
        'detail: labelled fields (the default); ipcs: byte for byte ipcs -m -i ID; ' +
        "lsipc, raw, export, json: lsipc's formats, every column unless -o",
      choices: FORMATS,
    },
    ...formatShorthands,
    ...lsipcOptions,
    ...unitOptions,
    {
      flags: '-F, --field <NAME>',
      description: "print just this column's value (e.g. nattch, size, status), bare; repeatable, one per line",
      repeatable: true,
    },
  ],
  async run(args: string[], opts: Options): Promise<number> {
    const fields = ((opts.field as string[] | undefined) ?? []).map(columnByName);
    const asked = askedFormat(opts);
    if (fields.length && (asked || opts.output !== undefined))
      throw new UsageError('--field prints bare values: give it without --format or -o');
    if (asked === 'ipcs' && lsipcOptionsGiven(opts)) {
      throw new UsageError('-o, --noheadings, --time-format and -P are lsipc options; they do not go with --format ipcs');
    }
    const format = asked ?? (lsipcOptionsGiven(opts) ? 'lsipc' : 'detail');
    const held = heldTargetOf(args[0]);
    const target = held ? null : resolveAny(args[0], opts);
    const views = VIEWS[target ? target.kind : 'held'];
    if (!views.formats.includes(format)) throw new UsageError(views.refusal);
    const record = target ? target.stat({ usage: true }) : findHeld(held!);
    // an object's LOCK is its flock's (a segment's lock shows in ls, not here)
    const lock = lockStates({ sysv: false, posix: true });
    // HOLDERS: one pass over /proc, only when that column is printed
    let holderCount: number | undefined;
    const holders = (): number => (holderCount ??= indexHolders([record], { fds: true }).of(record).length);
    let out: string | Buffer;
    if (fields.length) {
      // Bare values: JSON's typed value, arrays joined with commas, null as an empty line.
      const ctx = { ...columnContext(opts, systemNames, 'json'), lock, holders };
      out = fields
        .map((c) => {
          const v = c.json(record, ctx);
          return `${Array.isArray(v) ? v.join(',') : (v ?? '')}\n`;
        })
        .join('');
    } else if (format === 'detail') out = await views.detail(record);
    else if (format === 'ipcs') out = renderIpcsDetail(record as SegmentRecord, sizeUnit(opts));
    else if (format === 'lsipc') {
      // lsipc's view of one: its times in full unless --time-format says otherwise; bytes as they are unless on a terminal
      const ctx = { ...columnContext(opts, systemNames, format), lock, holders };
      if (opts.timeFormat === undefined) ctx.time = 'full';
      out = renderLsipcDetail(record, views.lsipcDetail(opts), ctx, !stdoutIsTTY());
    } else {
      const columns = selectColumns(opts.output as string | undefined, views.columns);
      const ctx = { ...columnContext(opts, systemNames, format), lock, holders };
      out = renderLsipc([record], columns, { format: format as MachineFormat, noheadings: opts.noheadings === true, ctx, ...views.json });
    }
    writeAll(1, out);
    return 0;
  },
};
