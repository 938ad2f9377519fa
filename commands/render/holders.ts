/**
 * `holders`' columns: the processes holding one segment or object, in the
 * same formats as ls (terminal table, lsipc's plain, raw and export layouts,
 * JSON with typed values).
 */
import { UsageError } from '../../src/model/errors.js';
import type { HolderRecord } from '../../src/model/holder.js';
import type { ColumnContext, ColumnOf } from './columns.js';
import { formatTime } from './time.js';

const HOLDER_COLUMNS: ColumnOf<HolderRecord>[] = [
  { name: 'PID', help: 'Process id', right: true, text: (h) => String(h.pid), json: (h) => h.pid },
  {
    name: 'USER',
    help: "The process's user (its uid where it has no name)",
    right: false,
    text: (h, ctx) => userOf(h, ctx) ?? '',
    json: (h, ctx) => userOf(h, ctx),
  },
  { name: 'UID', help: "The process's uid", right: true, text: (h) => String(h.uid ?? ''), json: (h) => h.uid },
  {
    name: 'HOW',
    help: 'attached (a segment), mapped (an object), fd (an open descriptor)',
    right: false,
    text: (h) => h.how.join(','),
    json: (h) => h.how,
  },
  {
    name: 'ATTACHMENTS',
    help: 'Attachments of a segment by this process',
    right: true,
    text: (h) => String(h.attachments),
    json: (h) => h.attachments,
  },
  {
    name: 'SINCE',
    help: 'When the process started',
    right: true,
    text: (h, ctx) => (h.start === null ? '' : formatTime(Math.floor(h.start), ctx.time, ctx.now)),
    json: (h, ctx) => (h.start === null ? null : formatTime(Math.floor(h.start), ctx.time, ctx.now)),
  },
  { name: 'COMMAND', help: 'Full command line', right: false, text: (h) => h.command ?? '', json: (h) => h.command },
];

const DEFAULT_HOLDER_COLUMNS = ['PID', 'USER', 'HOW', 'SINCE', 'COMMAND'];

function userOf(h: HolderRecord, ctx: ColumnContext): string | null {
  return h.uid === null ? null : (ctx.names.user(h.uid) ?? String(h.uid));
}

export function holderColumns(list: string | undefined): ColumnOf<HolderRecord>[] {
  const names =
    list === undefined ? DEFAULT_HOLDER_COLUMNS : list.trim().toLowerCase() === 'all' ? HOLDER_COLUMNS.map((c) => c.name) : null;
  const append = list?.startsWith('+') ?? false;
  const wanted = names ?? [...(append ? DEFAULT_HOLDER_COLUMNS : []), ...(append ? list!.slice(1) : list!).split(',')];
  if (wanted.some((n) => n.trim() === '')) throw new UsageError(`empty column name in '${list}'`);
  return wanted.map((n) => {
    const c = HOLDER_COLUMNS.find((h) => h.name === n.trim().toUpperCase());
    if (!c) throw new UsageError(`unknown column '${n}' (known: ${HOLDER_COLUMNS.map((h) => h.name).join(', ')})`);
    return c;
  });
}
