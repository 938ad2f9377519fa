/** What ls (and its --all-namespaces view) does to a listing: pick by the filters, fill HOLDERS and LOCK. */
import type { KindChoice } from '../../src/model/record.js';
import { indexHolders, lockStates, noteMappersFrom, select, selectionNeedsHolders, type HolderIndex } from '../../src/api/index.js';
import { unreadableText } from '../../src/model/holder.js';
import { kindOf } from '../../src/model/kinds.js';
import { isHeld, type ShmRecord } from '../../src/model/record.js';
import { columnsFor, selectColumns, type Column, type ColumnContext, type ColumnOf } from '../render/columns.js';
import { lsipcPosixColumns } from '../render/lsipc-posix.js';
import { lsipcPieces, type MachineFormat } from '../render/lsipc.js';
import type { TableColumn } from '../render/table.js';
import { stdoutIsTTY } from '../options/common.js';
import { askedKind, selectionOf } from '../options/filters.js';
import { formatShorthands } from '../options/output.js';
import { warn } from './exit-status.js';
import type { OptionSpec, Options } from '../options/spec.js';

/** Does this listing need who holds what: its HOLDERS column, or a filter on holders? */
export function needsHolders(opts: Options, columns: Column[]): boolean {
  return columns.some((c) => c.name === 'HOLDERS') || selectionNeedsHolders(selectionOf(opts), askedKind(opts));
}

/**
 * The records the filters pick, and the context's HOLDERS values when that
 * column is shown (one pass over /proc serves both; with `noteMappers`, the
 * records were listed without who maps each object, and that pass tells it
 * too). Objects picked as unattached while some processes could not be read
 * are said to be so.
 */
export function chosen<R extends ShmRecord>(
  records: R[],
  opts: Options,
  columns: Column[],
  ctx: Pick<ColumnContext, 'holders'>,
  // who holds what, read only when needed (ls --all-namespaces: one pass for the records of every namespace)
  index: () => HolderIndex = () => indexHolders(records, { fds: true }),
  noteMappers = false,
): R[] {
  const selection = selectionOf(opts);
  const holders = needsHolders(opts, columns) ? index() : undefined;
  if (holders) ctx.holders = (r) => holders.of(r).length;
  // the held kinds were found through their holders, mappers and all
  if (holders && noteMappers)
    noteMappersFrom(
      records.filter((r) => !isHeld(r)),
      holders,
    );
  const picked = select(records, selection, holders ? { holders } : {});
  // what the kernel keeps no count of (an object) is unattached only as far as the processes seen tell
  const seenOnly = picked.some((r) => kindOf(r).kernelAttachCount(r) === null);
  if (selection.unattached && holders?.hidden && seenOnly)
    warn('ls', `${holders.hidden}: an object listed as unattached may be open in one of them`);
  if (selection.unattached && holders?.unreadable.length && seenOnly) {
    warn('ls', `${unreadableText(holders.unreadable)}: an object listed as unattached may be open in one of them`);
  }
  return picked;
}

/** Is this listing lsipc -M's (POSIX objects alone, in one of lsipc's formats)? */
export const isLsipcPosix = (kind: KindChoice, format: string): boolean => kind === 'posix' && format !== 'table';

/**
 * A listing's columns: lsipc -M's for POSIX objects alone in lsipc's formats
 * (names without the slash, its -o rules, -c's CUID and CGID); otherwise our
 * own for the kinds (-o as given, -c adding CUID and CGID).
 */
export function listingColumns(kind: KindChoice, format: string, opts: Options): Column[] {
  const output = opts.output as string | undefined;
  if (isLsipcPosix(kind, format)) return lsipcPosixColumns({ output, creator: opts.creator === true, time: opts.time === true });
  return selectColumns(output, [...columnsFor(kind), ...(opts.creator === true ? ['CUID', 'CGID'] : [])]);
}

/** Column descriptors as the terminal table takes them. */
export function tableColumns(columns: Column[], ctx: ColumnContext): TableColumn[] {
  return columns.map((c) => ({ header: c.name, right: c.right, cell: (r) => c.text(r, ctx) }));
}

/** The LOCK column's values, read only when it is shown. */
export function withLocks(ctx: ColumnContext, columns: Column[], kind: KindChoice): ColumnContext {
  if (columns.some((c) => c.name === 'LOCK')) ctx.lock = lockStates(kind);
  return ctx;
}

/** A listing in the format asked: the terminal table, or lsipc's plain, raw and export layouts and JSON. */
export async function renderListing<R extends { kind: string }>(
  records: readonly R[],
  columns: ColumnOf<R>[],
  format: string,
  ctx: ColumnContext,
  opts: { noheadings: boolean; jsonKey?: string; noun?: string; shell?: boolean },
): Promise<string | Iterable<string>> {
  if (format === 'table') {
    const { renderTable } = await import('../render/table.js');
    const cells = columns.map((c) => ({ header: c.name, right: c.right, cell: (r: R) => c.text(r, ctx) }));
    return renderTable(records, cells, { color: stdoutIsTTY(), ...(opts.noun ? { noun: opts.noun } : {}) });
  }
  // made a piece at a time as it is written
  return lsipcPieces(records, columns, {
    format: format as MachineFormat,
    noheadings: opts.noheadings,
    ctx,
    ...(opts.jsonKey ? { jsonKey: opts.jsonKey } : {}),
    ...(opts.shell ? { shell: true } : {}),
  });
}

/** --format (the terminal table or lsipc's), its shorthands, -o and --noheadings: for listings other than ls. */
export function listingOptions(format: string, output: string): OptionSpec[] {
  return [
    { flags: '-f, --format <FORMAT>', description: format, choices: ['table', 'lsipc', 'raw', 'export', 'json'] },
    ...formatShorthands,
    { flags: '-o, --output <LIST>', description: output },
    { flags: '--noheadings', description: 'no header line (lsipc formats)' },
  ];
}
