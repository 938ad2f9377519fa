import { list, lockStates, pageSize, readShmLimits, readShmUsage } from '../src/api.js';
import { UsageError } from '../src/model/errors.js';
import { parseId, parseKey } from '../src/model/parse.js';
import { isPosix, type SegmentRecord, type ShmRecord } from '../src/model/record.js';
import type { ShmInfo, ShmLimits } from '../src/model/usage.js';
import { writeAll } from '../src/kernel/io.js';
import { parseUser, systemNames } from '../src/names.js';
import {
  ALL_COLUMNS,
  columnByName,
  POSIX_COLUMNS,
  POSIX_JSON_KEY,
  selectColumns,
  type Column,
  type ColumnContext,
} from './render/columns.js';
import { renderIpcsLimits, renderIpcsList, renderIpcsSummary, TERMINAL_COLUMNS, type IpcsView, type ListView } from './render/ipcs.js';
import { renderLsipc, type MachineFormat } from './render/lsipc.js';
import type { TableColumn } from './render/table.js';
import { stdoutIsTTY } from './common.js';
import { askedFormat, columnContext, formatShorthands, lsipcOptions, lsipcOptionsGiven, sizeUnit, unitOptions } from './output.js';
import type { CommandSpec, Options } from './spec.js';

const FORMATS = ['ipcs', 'table', 'lsipc', 'raw', 'export', 'json'];

const view = (flags: string, value: IpcsView, description: string) => ({
  flags,
  description,
  sets: { key: 'view', value },
});

/**
 * Keep only what the filters name; every filter given must match. POSIX
 * objects keep no creator (their owner stands in for --created-by), and
 * --key and --id select segments only.
 */
function filter<R extends ShmRecord>(records: R[], opts: Options): R[] {
  const keys = ((opts.key as string[] | undefined) ?? []).map(parseKey);
  const ids = ((opts.id as string[] | undefined) ?? []).map(parseId);
  const owner = opts.owner === undefined ? undefined : parseUser(opts.owner as string);
  const creator = opts.createdBy === undefined ? undefined : parseUser(opts.createdBy as string);
  return records.filter((r) => {
    const byId = isPosix(r) ? !keys.length && !ids.length : (!keys.length || keys.includes(r.key)) && (!ids.length || ids.includes(r.id));
    const madeBy = isPosix(r) ? r.uid : r.cuid;
    return byId && (owner === undefined || r.uid === owner) && (creator === undefined || madeBy === creator);
  });
}

/** Column descriptors as the terminal table takes them. */
function tableColumns(columns: Column[], ctx: ColumnContext): TableColumn[] {
  return columns.map((c) => ({ header: c.name, right: c.right, cell: (r) => c.text(r, ctx) }));
}

/** The LOCK column's values, read only when it is shown. */
function withLocks(ctx: ColumnContext, columns: Column[], kind: 'sysv' | 'posix' | 'all'): ColumnContext {
  if (columns.some((c) => c.name === 'LOCK')) ctx.lock = lockStates({ sysv: kind !== 'posix', posix: kind !== 'sysv' });
  return ctx;
}

/** lsipc's columns, with what -t (ATTACH, DETACH before a last COMMAND) and -c (CUID CGID UID GID) add. */
function lsipcColumns(opts: Options, v: IpcsView): Column[] {
  const base = selectColumns(undefined).map((c) => c.name);
  if (v === 'creator') base.push('CUID', 'CGID', 'UID', 'GID');
  if (v === 'time') base.splice(base[base.length - 1] === 'COMMAND' ? base.length - 1 : base.length, 0, 'ATTACH', 'DETACH');
  return selectColumns(opts.output as string | undefined, base);
}

/** Limits and usage as JSON numbers (they pass 2^53, so written out by hand). */
function limitsJson(lim: ShmLimits, page: number): string {
  return `{"limits": {"shmmni": ${lim.shmmni}, "shmmax": ${lim.shmmax}, "shmall": ${lim.shmall}, "shmmin": ${lim.shmmin}, "pagesize": ${page}}}\n`;
}

function summaryJson(u: ShmInfo): string {
  return `{"summary": {"segments": ${u.usedIds}, "pages_allocated": ${u.shmTot}, "pages_resident": ${u.shmRss}, "pages_swapped": ${u.shmSwp}}}\n`;
}

/**
 * ls --posix / --all: the column table over POSIX objects (and segments), in
 * the terminal table, lsipc's plain, raw and export layouts, or JSON. ipcs's
 * views know no POSIX objects, so they are refused here.
 */
async function listWithPosix(opts: Options, kind: 'posix' | 'all'): Promise<number> {
  if (opts.view !== undefined) throw new UsageError(`-t, -p, -c, -l and -u are ipcs's views of System V segments: not with --${kind}`);
  const asked = askedFormat(opts);
  if (asked === 'ipcs') throw new UsageError(`--format ipcs is for System V segments (ipcs knows no POSIX objects): not with --${kind}`);
  if (kind === 'posix' && (opts.key !== undefined || opts.id !== undefined))
    throw new UsageError('--key and --id select System V segments: not with --posix');
  const format = asked ?? (stdoutIsTTY() ? 'table' : 'lsipc');
  const columns = selectColumns(opts.output as string | undefined, kind === 'posix' ? POSIX_COLUMNS : ALL_COLUMNS);
  if (format === 'json' && opts.output === undefined) columns.push(columnByName('LOCK'));
  const records = filter(list({ kind, usage: columns.some((c) => c.name === 'NATTCH') }), opts);
  const ctx = withLocks(columnContext(opts, systemNames, format), columns, kind);
  let out: string;
  if (format === 'table') {
    const { renderTable } = await import('./render/table.js');
    out = await renderTable(records, tableColumns(columns, ctx), { color: stdoutIsTTY() });
  } else {
    out = renderLsipc(records, columns, {
      format: format as MachineFormat,
      noheadings: opts.noheadings === true,
      ctx,
      ...(kind === 'posix' ? { jsonKey: POSIX_JSON_KEY } : {}),
    });
  }
  writeAll(1, out);
  return 0;
}

export const spec: CommandSpec = {
  name: 'ls',
  summary: "list segments with the columns and values of ipcs -m, or lsipc -m's formats",
  usage: 'ls [-t|-p|-c|-l|-u] [--posix|--all] [--human|-b] [--format ipcs|table|lsipc|raw|export|json] [-o COLUMNS] [filters]',
  arguments: [],
  options: [
    view('-t, --time', 'time', 'attach, detach and change times (ipcs -t)'),
    view('-p, --pid', 'pid', 'creator and last-operation pids (ipcs -p)'),
    view('-c, --creator', 'creator', 'creator and owner (ipcs -c)'),
    view('-l, --limits', 'limits', "the namespace's limits (ipcs -l)"),
    view('-u, --summary', 'summary', 'usage summary (ipcs -u)'),
    ...unitOptions,
    {
      flags: '-f, --format <FORMAT>',
      description:
        'ipcs: byte for byte ipcs -m (the default when not a terminal); table: the terminal view; ' +
        "lsipc, raw, export: byte for byte lsipc -m; json: lsipc's shape with typed values",
      choices: FORMATS,
    },
    ...formatShorthands,
    ...lsipcOptions,
    {
      flags: '-M, --posix',
      description: 'POSIX shared memory objects (/dev/shm) instead of System V segments',
      sets: { key: 'kind', value: 'posix' },
    },
    { flags: '-A, --all', description: 'System V segments and POSIX objects in one view', sets: { key: 'kind', value: 'all' } },
    { flags: '--key <KEY>', description: 'only the segment with this key (repeatable)', repeatable: true },
    { flags: '--id <ID>', description: 'only the segment with this id (repeatable)', repeatable: true },
    { flags: '--owner <USER>', description: 'only segments owned by USER (name or uid)' },
    { flags: '--created-by <USER>', description: 'only segments created by USER (name or uid)' },
  ],
  async run(_args: string[], opts: Options): Promise<number> {
    if (opts.kind === 'posix' || opts.kind === 'all') return listWithPosix(opts, opts.kind);
    const v = (opts.view as IpcsView | undefined) ?? 'default';
    const unit = sizeUnit(opts);
    const asked = askedFormat(opts);
    const lsipcFamily = asked ? asked !== 'ipcs' && (asked !== 'table' || lsipcOptionsGiven(opts)) : lsipcOptionsGiven(opts);
    if (asked === 'ipcs' && lsipcOptionsGiven(opts)) {
      throw new UsageError('-o, --noheadings, --time-format and -P are lsipc options; they do not go with --format ipcs');
    }
    const format = asked ?? (stdoutIsTTY() ? 'table' : lsipcFamily ? 'lsipc' : 'ipcs');
    const color = stdoutIsTTY();

    if (v === 'limits' || v === 'summary') {
      if (lsipcFamily && format !== 'json') throw new UsageError(`--${v} has no lsipc format: use ipcs, table or json`);
      const pairsOf = async (pairs: [string, string][]): Promise<string> =>
        (await import('./render/table.js')).renderPairs(pairs, { color });
      let out: string;
      if (v === 'limits') {
        const lim = readShmLimits();
        if (format === 'json') out = limitsJson(lim, pageSize());
        else if (format === 'table')
          out = await pairsOf([
            ['max number of segments (shmmni)', String(lim.shmmni)],
            ['max segment size (shmmax)', `${lim.shmmax} bytes`],
            ['max total shared memory (shmall)', `${lim.shmall} pages of ${pageSize()} bytes`],
            ['min segment size', `${lim.shmmin} byte`],
          ]);
        else out = renderIpcsLimits(lim, pageSize(), unit);
      } else {
        const use = readShmUsage();
        if (format === 'json') out = summaryJson(use);
        else if (format === 'table')
          out = await pairsOf([
            ['segments allocated', String(use.usedIds)],
            ['pages allocated', String(use.shmTot)],
            ['pages resident', String(use.shmRss)],
            ['pages swapped', String(use.shmSwp)],
          ]);
        else out = renderIpcsSummary(use);
      }
      writeAll(1, out);
      return 0;
    }

    const records = filter(list({ kind: 'sysv' }) as SegmentRecord[], opts);
    let out: string | Buffer;
    if (lsipcFamily) {
      const columns = lsipcColumns(opts, v);
      // JSON shows locks by default; the lsipc formats only when -o asks for LOCK.
      if (format === 'json' && opts.output === undefined) columns.push(columnByName('LOCK'));
      const ctx = withLocks(columnContext(opts, systemNames, format), columns, 'sysv');
      if (format === 'table') {
        const { renderTable } = await import('./render/table.js');
        out = await renderTable(records, tableColumns(columns, ctx), { color });
      } else {
        out = renderLsipc(records, columns, { format: format as MachineFormat, noheadings: opts.noheadings === true, ctx });
      }
    } else {
      const ctx = { names: systemNames, unit };
      const listView = v as ListView;
      if (format === 'table') {
        const { renderTable } = await import('./render/table.js');
        const columns = TERMINAL_COLUMNS[listView](unit).map((c) => ({ ...c, cell: (r: SegmentRecord) => c.cell(r, ctx) }));
        if (listView === 'default') {
          const lock = [columnByName('LOCK')];
          columns.push({ ...tableColumns(lock, withLocks(columnContext(opts, systemNames, format), lock, 'sysv'))[0]!, header: 'lock' });
        }
        out = await renderTable(records, columns, { color });
      } else {
        out = renderIpcsList(listView, records, ctx);
      }
    }
    writeAll(1, out);
    return 0;
  },
};
