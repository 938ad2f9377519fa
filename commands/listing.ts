/** What ls (and its --all-namespaces view) does to a listing: pick by the filters, fill HOLDERS and LOCK. */
import { indexHolders, lockStates, select, selectionNeedsHolders } from '../src/api.js';
import { unreadableText } from '../src/model/holder.js';
import { isPosix, type ShmRecord } from '../src/model/record.js';
import type { Column, ColumnContext } from './render/columns.js';
import type { TableColumn } from './render/table.js';
import { kindOf, selectionOf } from './filters.js';
import { warn } from './report.js';
import type { Options } from './spec.js';

/**
 * The records the filters pick, and the context's HOLDERS values when that
 * column is shown (one pass over /proc serves both). Objects picked as
 * unattached while some processes could not be read are said to be so.
 */
export function chosen<R extends ShmRecord>(records: R[], opts: Options, columns: Column[], ctx: Pick<ColumnContext, 'holders'>): R[] {
  const selection = selectionOf(opts);
  const needed = columns.some((c) => c.name === 'HOLDERS') || selectionNeedsHolders(selection, kindOf(opts));
  const holders = needed ? indexHolders(records, { fds: true }) : undefined;
  if (holders) ctx.holders = (r) => holders.of(r).length;
  const picked = select(records, selection, holders ? { holders } : {});
  if (selection.unattached && holders?.unreadable.length && picked.some(isPosix)) {
    warn('ls', `${unreadableText(holders.unreadable)}: an object listed as unattached may be open in one of them`);
  }
  return picked;
}

/** Column descriptors as the terminal table takes them. */
export function tableColumns(columns: Column[], ctx: ColumnContext): TableColumn[] {
  return columns.map((c) => ({ header: c.name, right: c.right, cell: (r) => c.text(r, ctx) }));
}

/** The LOCK column's values, read only when it is shown. */
export function withLocks(ctx: ColumnContext, columns: Column[], kind: 'sysv' | 'posix' | 'all'): ColumnContext {
  if (columns.some((c) => c.name === 'LOCK')) ctx.lock = lockStates({ sysv: kind !== 'posix', posix: kind !== 'sysv' });
  return ctx;
}
