/**
 * lsipc's output formats over the column table: the aligned table
 * (libsmartcols' layout when not on a terminal), --raw, --export, and JSON
 * with real types. The text formats are byte for byte lsipc's.
 */
import { escapeAscii, escapeCBytes, jsonSafe, plainText, terminalSafe, unescapeBytes, utf8Locale } from '../../src/model/text.js';
import type { ColumnContext, ColumnOf, JsonValue } from './columns.js';

export type MachineFormat = 'lsipc' | 'raw' | 'export' | 'json';

// Cells hold text escaped by src/text.ts (names, command lines and user names
// arrive so): the table prints that as it is, like libsmartcols' safe
// encoding; --raw and --export escape the bytes it stands for, byte by byte
// in the C locale, as util-linux does.

/** --raw: blanks, backslashes and every byte but printable ASCII as \xHH (libsmartcols' fputs_nonblank). */
function rawCell(text: string): string {
  return escapeCBytes(unescapeBytes(text), (b) => b === 0x20 || b === 0x5c);
}

/** --export: NAME="value" with " \ ` $ and every byte but printable ASCII as \xHH (fputs_quoted). */
function exportCell(text: string): string {
  return `"${escapeCBytes(unescapeBytes(text), (b) => b === 0x22 || b === 0x5c || b === 0x60 || b === 0x24)}"`;
}

/** The table: nothing a terminal would obey; in the C locale, nothing but ASCII (as util-linux). */
const safeCell = (text: string): string => (utf8Locale() ? terminalSafe(text) : escapeAscii(text));

export interface LsipcOptions {
  format: MachineFormat;
  /** JSON's top-level name (lsipc's table name); default "sharedmemory". */
  jsonKey?: string;
  noheadings: boolean;
  ctx: ColumnContext;
}

/** `{"sharedmemory": [...]}`, with the columns' typed values under their lower-case names. */
export function jsonObjects<R>(records: readonly R[], columns: ColumnOf<R>[], ctx: ColumnContext): Record<string, JsonValue>[] {
  return records.map((r) => {
    const o: Record<string, JsonValue> = {};
    for (const c of columns) {
      const v = c.json(r, ctx);
      // JSON carries the text itself (as lsipc does), escaped only where it is not UTF-8.
      o[c.name.toLowerCase()] = typeof v === 'string' ? plainText(v) : v;
    }
    return o;
  });
}

export function renderLsipc<R>(records: readonly R[], columns: ColumnOf<R>[], opts: LsipcOptions): string {
  const { ctx } = opts;
  if (opts.format === 'json') {
    return jsonSafe(JSON.stringify({ [opts.jsonKey ?? 'sharedmemory']: jsonObjects(records, columns, ctx) }, null, 2)) + '\n';
  }
  const rows = records.map((r) => columns.map((c) => c.text(r, ctx)));
  const out: string[] = [];
  if (opts.format === 'export') {
    for (const row of rows) out.push(row.map((cell, i) => `${columns[i]!.name}=${exportCell(cell)}`).join(' ') + '\n');
    return out.join('');
  }
  if (opts.format === 'raw') {
    if (!opts.noheadings) out.push(columns.map((c) => c.name).join(' ') + '\n');
    for (const row of rows) out.push(row.map(rawCell).join(' ') + '\n');
    return out.join('');
  }
  // The aligned table: each column as wide as its widest cell or its header
  // (even under --noheadings); right-aligned columns padded on the left. In
  // the last column an empty cell prints nothing and a left-aligned one is
  // not padded.
  const cells = rows.map((row) => row.map(safeCell));
  const header = columns.map((c) => c.name);
  const widths = columns.map((_, i) => Math.max(header[i]!.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]): string =>
    row
      .map((cell, i) => {
        if (i === row.length - 1 && (cell === '' || !columns[i]!.right)) return cell;
        return columns[i]!.right ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join(' ') + '\n';
  // lsipc prints nothing at all for an empty list; a header says "none" better.
  if (!opts.noheadings) out.push(line(header));
  for (const row of cells) out.push(line(row));
  return out.join('');
}
