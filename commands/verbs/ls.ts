import { list, pageSize, readShmLimits, readShmUsage } from '../../src/api/index.js';
import { UsageError } from '../../src/model/errors.js';
import type { SegmentRecord } from '../../src/model/record.js';
import type { ShmInfo, ShmLimits } from '../../src/model/usage.js';
import { writeAll } from '../../src/kernel/io.js';
import { systemNames } from '../../src/kernel/names.js';
import { GLOBAL_COLUMNS } from '../render/global.js';
import { columnByName, columnNames, POSIX_JSON_KEY, selectColumns, type Column } from '../render/columns.js';
import { renderIpcsLimits, renderIpcsList, renderIpcsSummary, TERMINAL_COLUMNS, type IpcsView, type ListView } from '../render/ipcs.js';
import { stdoutIsTTY } from '../options/common.js';
import { askedFormat, columnContext, formatShorthands, lsipcOptions, lsipcOptionsGiven, sizeUnit, unitOptions } from '../options/output.js';
import { askedKind, filterOptions, kindOptions } from '../options/filters.js';
import type { KindChoice } from '../../src/model/record.js';
import { LSIPC_POSIX_VERSION } from '../render/lsipc-posix.js';
import { chosen, isLsipcPosix, listingColumns, needsHolders, renderListing, tableColumns, withLocks } from '../support/ls-view.js';
import { listAllNamespaces } from '../support/ls-namespaces.js';
import type { CommandSpec, Options } from '../options/spec.js';

const FORMATS = ['ipcs', 'table', 'lsipc', 'raw', 'export', 'newline', 'json'];

const view = (flags: string, value: IpcsView, description: string) => ({
  flags,
  description,
  sets: { key: 'view', value },
});

/**
 * lsipc's columns, with what -c (CUID CGID UID GID) and -t (ATTACH, DETACH
 * before a last COMMAND) add: both when both are given, in that order
 * whatever the order given, as lsipc does (ipcs's formats keep the last view
 * only); with -o neither, as lsipc refuses them together.
 */
function lsipcColumns(opts: Options): Column[] {
  return lsipcNames(opts, false).map(columnByName);
}

/** The names of lsipcColumns; with `global` (-g) lsipc's limit columns follow the defaults. */
function lsipcNames(opts: Options, global: boolean): string[] {
  const time = opts.time === true;
  const creator = opts.creator === true;
  if ((time || creator) && opts.output !== undefined)
    throw new UsageError(
      `-o does not go with ${[creator && '-c', time && '-t'].filter(Boolean).join(' and ')} in lsipc's formats (lsipc refuses them together)`,
    );
  const base = selectColumns(undefined).map((c) => c.name);
  if (global) base.push(...GLOBAL_COLUMNS);
  if (creator) base.push('CUID', 'CGID', 'UID', 'GID');
  if (time) base.splice(base[base.length - 1] === 'COMMAND' ? base.length - 1 : base.length, 0, 'ATTACH', 'DETACH');
  const list = opts.output as string | undefined;
  // (-g's limit columns are not segment columns: looked up by globalColumns)
  return global ? columnNames(list, base) : selectColumns(list, base).map((c) => c.name);
}

/** Limits and usage as JSON numbers (they pass 2^53, so written out by hand). */
function limitsJson(lim: ShmLimits, page: number): string {
  return `{"limits": {"shmmni": ${lim.shmmni}, "shmmax": ${lim.shmmax}, "shmall": ${lim.shmall}, "shmmin": ${lim.shmmin}, "pagesize": ${page}}}\n`;
}

function summaryJson(u: ShmInfo): string {
  return `{"summary": {"segments": ${u.usedIds}, "pages_allocated": ${u.shmTot}, "pages_resident": ${u.shmRss}, "pages_swapped": ${u.shmSwp}}}\n`;
}

/** How segments are listed: ipcs's view, size unit, the format, whether it is one of lsipc's, and colour. */
interface SegmentFormat {
  view: IpcsView;
  unit: ReturnType<typeof sizeUnit>;
  format: string;
  lsipcFamily: boolean;
  color: boolean;
}

function segmentFormat(opts: Options): SegmentFormat {
  const asked = askedFormat(opts);
  const lsipcFamily = asked ? asked !== 'ipcs' && (asked !== 'table' || lsipcOptionsGiven(opts)) : lsipcOptionsGiven(opts);
  if (asked === 'ipcs' && lsipcOptionsGiven(opts)) {
    throw new UsageError('-o, --noheadings, --time-format and -P are lsipc options; they do not go with --format ipcs');
  }
  const format = asked ?? (stdoutIsTTY() ? 'table' : lsipcFamily ? 'lsipc' : 'ipcs');
  return { view: (opts.view as IpcsView | undefined) ?? 'default', unit: sizeUnit(opts), format, lsipcFamily, color: stdoutIsTTY() };
}

/** -l and -u: the namespace's limits, or its use, as ipcs, the terminal table or JSON. */
async function namespaceFigures(view: 'limits' | 'summary', how: SegmentFormat): Promise<string> {
  if (how.lsipcFamily && how.format !== 'json') throw new UsageError(`--${view} has no lsipc format: use ipcs, table or json`);
  const pairsOf = async (pairs: [string, string][]): Promise<string> =>
    (await import('../render/table.js')).renderPairs(pairs, { color: how.color });
  if (view === 'limits') {
    const lim = readShmLimits();
    if (how.format === 'json') return limitsJson(lim, pageSize());
    if (how.format !== 'table') return renderIpcsLimits(lim, pageSize(), how.unit);
    return pairsOf([
      ['max number of segments (shmmni)', String(lim.shmmni)],
      ['max segment size (shmmax)', `${lim.shmmax} bytes`],
      ['max total shared memory (shmall)', `${lim.shmall} pages of ${pageSize()} bytes`],
      ['min segment size', `${lim.shmmin} byte`],
    ]);
  }
  const use = readShmUsage();
  if (how.format === 'json') return summaryJson(use);
  if (how.format !== 'table') return renderIpcsSummary(use);
  return pairsOf([
    ['segments allocated', String(use.usedIds)],
    ['pages allocated', String(use.shmTot)],
    ['pages resident', String(use.shmRss)],
    ['pages swapped', String(use.shmSwp)],
  ]);
}

/** lsipc's formats (and JSON): the column table, or with -g the limits. */
async function lsipcListing(opts: Options, all: SegmentRecord[], how: SegmentFormat): Promise<string | Iterable<string>> {
  if (opts.global === true) {
    const { globalColumns, limitRows } = await import('../render/global.js');
    const rows = limitRows(readShmLimits(), all, pageSize());
    const ctx = columnContext(opts, systemNames, how.format);
    const columns = globalColumns(lsipcNames(opts, true));
    return renderListing(rows, columns, how.format, ctx, {
      noheadings: opts.noheadings === true,
      jsonKey: 'ipclimits',
      shell: opts.shell === true,
    });
  }
  const columns = lsipcColumns(opts);
  // JSON shows locks by default; the lsipc formats only when -o asks for LOCK.
  if (how.format === 'json' && opts.output === undefined) columns.push(columnByName('LOCK'));
  const ctx = withLocks(columnContext(opts, systemNames, how.format), columns, 'sysv');
  const records = chosen(all, opts, columns, ctx);
  return renderListing(records, columns, how.format, ctx, { noheadings: opts.noheadings === true, shell: opts.shell === true });
}

/** ipcs's views, byte for byte, or the terminal table of the same columns (with LOCK in the default view). */
async function ipcsListing(opts: Options, all: SegmentRecord[], how: SegmentFormat): Promise<string | Buffer> {
  const ctx = { names: systemNames, unit: how.unit };
  const records = chosen(all, opts, [], {});
  const listView = how.view as ListView;
  if (how.format !== 'table') return renderIpcsList(listView, records, ctx);
  const { renderTable } = await import('../render/table.js');
  const columns = TERMINAL_COLUMNS[listView](how.unit).map((c) => ({ ...c, cell: (r: SegmentRecord) => c.cell(r, ctx) }));
  if (listView === 'default') {
    const lock = [columnByName('LOCK')];
    columns.push({ ...tableColumns(lock, withLocks(columnContext(opts, systemNames, how.format), lock, 'sysv'))[0]!, header: 'lock' });
  }
  return renderTable(records, columns, { color: how.color });
}

/**
 * ls --posix / --all: the column table over POSIX objects (and segments), in
 * the terminal table, lsipc's plain, raw and export layouts, or JSON. ipcs's
 * views know no POSIX objects, so they are refused here. POSIX objects alone
 * in lsipc's formats are util-linux 2.42's `lsipc -M`, byte for byte:
 * its columns and -c, names without the slash, in the directory's order.
 */
async function listWithPosix(opts: Options, kind: Exclude<KindChoice, 'sysv'>): Promise<number> {
  const lsipcView = opts.view === 'creator' || opts.view === 'time';
  if (opts.view !== undefined && !(kind === 'posix' && lsipcView))
    throw new UsageError(
      `${kind === 'posix' ? '-p, -l and -u' : '-t, -p, -c, -l and -u'} are ipcs's views of System V segments: not with --${kind}`,
    );
  if (
    kind !== 'all' &&
    kind !== 'every' &&
    kind !== 'posix' &&
    (opts.key !== undefined || opts.id !== undefined || opts.creatorDead === true)
  )
    throw new UsageError(`--key, --id and --creator-dead select System V segments: not with --${kind}`);
  if (opts.global === true) throw new UsageError(`-g shows System V's limits: not with --${kind}`);
  const asked = askedFormat(opts);
  if (asked === 'ipcs') throw new UsageError(`--format ipcs is for System V segments (ipcs knows no POSIX objects): not with --${kind}`);
  if (kind === 'posix' && (opts.key !== undefined || opts.id !== undefined || opts.creatorDead === true))
    throw new UsageError('--key, --id and --creator-dead select System V segments: not with --posix');
  const format = asked ?? (stdoutIsTTY() ? 'table' : 'lsipc');
  const columns = listingColumns(kind, format, opts);
  if (format === 'json' && opts.output === undefined) columns.push(columnByName('LOCK'));
  const ctx = withLocks(columnContext(opts, systemNames, format), columns, kind);
  // an object's NATTCH (who maps it) from the pass over /proc that HOLDERS or the filters make anyway, not a pass of its own
  const nattch = columns.some((c) => c.name === 'NATTCH');
  const fromHolders = nattch && needsHolders(opts, columns);
  // lsipc lists objects in the directory's order; our own views sort them by name
  const all = list({
    kind,
    usage: nattch && !fromHolders,
    ...(isLsipcPosix(kind, format) ? { order: 'system' as const } : {}),
  });
  const records = chosen(all, opts, columns, ctx, undefined, fromHolders);
  const out = await renderListing(records, columns, format, ctx, {
    noheadings: opts.noheadings === true,
    ...(kind === 'posix' ? { jsonKey: POSIX_JSON_KEY } : kind === 'all' || kind === 'every' ? {} : { jsonKey: kind }),
    shell: opts.shell === true,
  });
  writeAll(1, out);
  return 0;
}

export const spec: CommandSpec = {
  name: 'ls',
  summary: "list segments with the columns and values of ipcs -m, or lsipc -m's formats",
  usage:
    'ls [-t|-p|-c|-l|-u] [--posix|--all] [--human|-b] [--format ipcs|table|lsipc|raw|export|newline|json] [-o COLUMNS] [-g] [-y] [filters]',
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
        `lsipc, raw, export: byte for byte lsipc -m (--posix: lsipc ${LSIPC_POSIX_VERSION} -M); json: lsipc's shape with typed values`,
      choices: FORMATS,
    },
    ...formatShorthands,
    { flags: '-n, --newline', description: 'same as --format newline: lsipc -n, the export pairs one to a line' },
    ...lsipcOptions,
    { flags: '-g, --global', description: "the limits and their use, in lsipc's formats (lsipc -m -g)" },
    { flags: '-y, --shell', description: 'column names as shell variables (USE% is USE_PCT), as lsipc -y' },
    { flags: '--notruncate', description: "lsipc's: accepted; the lsipc formats here never truncate" },
    ...kindOptions,
    ...filterOptions,
    {
      flags: '-N, --all-namespaces',
      description: 'every IPC namespace this user may enter (containers), with NAMESPACE, NSPID and NSCOMMAND columns',
    },
  ],
  async run(_args: string[], opts: Options): Promise<number> {
    if (opts.allNamespaces === true) return listAllNamespaces(opts);
    const kind = askedKind(opts);
    if (kind !== 'sysv') return listWithPosix(opts, kind);
    const how = segmentFormat(opts);
    if (how.view === 'limits' || how.view === 'summary') writeAll(1, await namespaceFigures(how.view, how));
    else writeAll(1, await (how.lsipcFamily ? lsipcListing : ipcsListing)(opts, list({ kind: 'sysv' }), how));
    return 0;
  },
};
