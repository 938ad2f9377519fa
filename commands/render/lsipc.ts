/**
 * lsipc's output formats over the column table: the aligned table
 * (libsmartcols' layout when not on a terminal), --raw, --export, and JSON
 * with real types. The text formats are byte for byte lsipc's.
 */
import { escapeAscii, escapeCBytes, jsonSafe, plainText, terminalSafe, unescapeBytes, utf8Locale } from '../../src/model/text.js';
import { displayWidth } from '../../src/model/width.js';
import type { ColumnContext, ColumnOf, JsonValue } from './columns.js';

export type MachineFormat = 'lsipc' | 'raw' | 'export' | 'newline' | 'json';

// Cells hold text escaped by src/model/text.ts (names, command lines and user names
// arrive so): the table prints that as it is, like libsmartcols' safe
// encoding; --raw and --export escape the bytes it stands for, byte by byte
// in the C locale, as util-linux does.

/** --raw: blanks, backslashes and every byte but printable ASCII as \xHH (libsmartcols' fputs_nonblank). */
function rawCell(text: string): string {
  // most cells (numbers, keys, names) need nothing: say so without a Buffer
  if (RAW_PLAIN.test(text)) return text;
  return escapeCBytes(unescapeBytes(text), (b) => b === 0x20 || b === 0x5c);
}

/** Printable ASCII: what the table prints as it is, in any locale. */
const PRINTABLE = /^[\x20-\x7e]*$/;
/** Printable ASCII but the blank and the backslash: what --raw prints as it is. */
const RAW_PLAIN = /^[\x21-\x5b\x5d-\x7e]*$/;
/** Printable ASCII but " \ ` $: what --export prints as it is. */
const EXPORT_PLAIN = /^[\x20\x21\x23\x25-\x5b\x5d-\x5f\x61-\x7e]*$/;

/** --export: NAME="value" with " \ ` $ and every byte but printable ASCII as \xHH (fputs_quoted). */
function exportCell(text: string): string {
  if (EXPORT_PLAIN.test(text)) return `"${text}"`;
  return `"${escapeCBytes(unescapeBytes(text), (b) => b === 0x22 || b === 0x5c || b === 0x60 || b === 0x24)}"`;
}

/** The table: nothing a terminal would obey; in the C locale, nothing but ASCII (as util-linux). */
const safeCell = (text: string): string => (utf8Locale() ? terminalSafe(text) : escapeAscii(text));

interface LsipcOptions {
  format: MachineFormat;
  /** JSON's top-level name (lsipc's table name); default "sharedmemory". */
  jsonKey?: string;
  noheadings: boolean;
  ctx: ColumnContext;
  /** lsipc -y: column names as shell variables (USE% is USE_PCT). */
  shell?: boolean;
}

/** libsmartcols' shell variable name for a column: "_" before a first non-letter, "_" for each other character, "%" at the end "_PCT". */
function shellName(name: string): string {
  const body = name.replace(/[^A-Za-z0-9]/g, '_');
  return `${/^[A-Za-z]/.test(name) ? '' : '_'}${body}${name.endsWith('%') ? 'PCT' : ''}`;
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

/** One JSON value as JSON.stringify(…, null, 2) writes it at this depth (arrays of strings the only nesting). */
function jsonValue(v: JsonValue, pad: string): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (!Array.isArray(v)) return JSON.stringify(v);
  if (v.length === 0) return '[]';
  return `[\n${v.map((item) => `${pad}  ${JSON.stringify(item)}`).join(',\n')}\n${pad}]`;
}

/** Text in pieces of about this many characters: written as made, never one string of it all (32,768 rows: ~10 MB). */
const PIECE = 64 << 10;

/** Lines gathered into pieces of about PIECE characters. */
function* pieces(lines: Iterable<string>, each: (piece: string) => string = (piece) => piece): Generator<string> {
  let parts: string[] = [];
  let length = 0;
  for (const line of lines) {
    parts.push(line);
    length += line.length;
    if (length >= PIECE) {
      yield each(parts.join(''));
      parts = [];
      length = 0;
    }
  }
  if (parts.length) yield each(parts.join(''));
}

/**
 * {"KEY": [ {...}, ... ]} exactly as JSON.stringify(…, null, 2) lays it out,
 * written row by row: no object per row to build and collect (32,768 rows).
 */
export function jsonText<R>(key: string, records: readonly R[], columns: ColumnOf<R>[], ctx: ColumnContext, shell = false): string {
  return [...jsonLines(key, records, columns, ctx, shell)].join('');
}

function* jsonLines<R>(key: string, records: readonly R[], columns: ColumnOf<R>[], ctx: ColumnContext, shell: boolean): Generator<string> {
  if (records.length === 0) return yield `{\n  ${JSON.stringify(key)}: []\n}`;
  const names = columns.map((c) => `      ${JSON.stringify((shell ? shellName(c.name) : c.name).toLowerCase())}: `);
  yield `{\n  ${JSON.stringify(key)}: [\n`;
  for (let at = 0; at < records.length; at++) {
    const r = records[at]!;
    let row = at === 0 ? '    {\n' : ',\n    {\n';
    for (let i = 0; i < columns.length; i++) {
      const v = columns[i]!.json(r, ctx);
      row += (i === 0 ? '' : ',\n') + names[i]! + jsonValue(typeof v === 'string' ? plainText(v) : v, '      ');
    }
    yield row + '\n    }';
  }
  yield '\n  ]\n}';
}

/** The listing as one string (what a test or a one-record view wants); lsipcPieces writes it as made. */
export function renderLsipc<R>(records: readonly R[], columns: ColumnOf<R>[], opts: LsipcOptions): string {
  return [...lsipcPieces(records, columns, opts)].join('');
}

/** The listing in pieces of ~64 KB, each made as the one before is written. */
export function* lsipcPieces<R>(records: readonly R[], columns: ColumnOf<R>[], opts: LsipcOptions): Generator<string> {
  const { ctx } = opts;
  if (opts.format === 'json') {
    // jsonSafe escapes characters one at a time: a piece at a time is the same
    yield* pieces(jsonLines(opts.jsonKey ?? 'sharedmemory', records, columns, ctx, opts.shell === true), jsonSafe);
    return yield '\n';
  }
  const names = columns.map((c) => (opts.shell ? shellName(c.name) : c.name));
  if (opts.format === 'export' || opts.format === 'newline') {
    // -n: export's pairs, one to a line
    const between = opts.format === 'newline' ? '\n' : ' ';
    return yield* pieces(records.map((r) => columns.map((c, i) => `${names[i]}=${exportCell(c.text(r, ctx))}`).join(between) + '\n'));
  }
  if (opts.format === 'raw') {
    if (!opts.noheadings) yield names.join(' ') + '\n';
    return yield* pieces(rawLines(records, columns, ctx));
  }
  yield* pieces(tableLines(records, columns, opts, names));
}

function* rawLines<R>(records: readonly R[], columns: ColumnOf<R>[], ctx: ColumnContext): Generator<string> {
  for (const r of records) {
    let line = '';
    for (let i = 0; i < columns.length; i++) line += (i === 0 ? '' : ' ') + rawCell(columns[i]!.text(r, ctx));
    yield line + '\n';
  }
}

function tableLines<R>(records: readonly R[], columns: ColumnOf<R>[], opts: LsipcOptions, names: string[]): string[] {
  const { ctx } = opts;
  const out: string[] = [];
  // The aligned table: each column as wide as its widest cell or its header
  // (even under --noheadings); right-aligned columns padded on the left. In
  // the last column an empty cell prints nothing and a left-aligned one is
  // not padded.
  // Widths are display widths, as libsmartcols counts them: a CJK character
  // takes two columns, a combining mark none. Printable ASCII (nearly every
  // cell) is as wide as it is long; the width of any other cell is kept.
  const wide = new Map<string, number>();
  const cells = records.map((r) =>
    columns.map((c) => {
      const cell = c.text(r, ctx);
      if (PRINTABLE.test(cell)) return cell;
      const safe = safeCell(cell);
      wide.set(safe, displayWidth(safe));
      return safe;
    }),
  );
  const width = (cell: string): number => (wide.size === 0 ? cell.length : (wide.get(cell) ?? cell.length));
  // (widths come from the names themselves: libsmartcols lays the table out before -y renames the headers)
  const header = names;
  const widths = columns.map((c) => c.name.length);
  for (const row of cells) for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i]!, width(row[i]!));
  const pad = (cell: string, i: number): string => {
    const blanks = ' '.repeat(Math.max(0, widths[i]! - width(cell)));
    return columns[i]!.right ? blanks + cell : cell + blanks;
  };
  const line = (row: string[]): string =>
    row.map((cell, i) => (i === row.length - 1 && (cell === '' || !columns[i]!.right) ? cell : pad(cell, i))).join(' ') + '\n';
  // lsipc prints nothing at all for an empty list; a header says "none" better.
  if (!opts.noheadings) out.push(line(header));
  for (const row of cells) out.push(line(row));
  return out;
}

/** lsipc's own names for its columns in the one-record view (lsipc -i ID, lsipc -N NAME). */
const LABELS: Record<string, string> = {
  KEY: 'Key',
  ID: 'ID',
  OWNER: 'Owner',
  PERMS: 'Permissions',
  CUID: 'Creator UID',
  CUSER: 'Creator user',
  CGID: 'Creator GID',
  CGROUP: 'Creator group',
  UID: 'UID',
  USER: 'User name',
  GID: 'GID',
  GROUP: 'Group name',
  CTIME: 'Last change',
  NAME: 'Name',
  MTIME: 'Last action',
  SIZE: 'Segment size',
  NATTCH: 'Attached processes',
  STATUS: 'Status',
  ATTACH: 'Attach time',
  DETACH: 'Detach time',
  COMMAND: 'Creator command',
  CPID: 'Creator PID',
  LPID: 'Last user PID',
};

/**
 * One record as lsipc prints a single one (`lsipc -m -i ID`, `lsipc -M -N
 * NAME`): "Label:" and blanks to column 36, the value padded with blanks to 36
 * bytes; a column with no value (null: a time never set, a uid with no name)
 * is left out. lsipc prints the value's bytes as they are: so does this with
 * `raw` (stdout not a terminal); without, the escaped text.
 */
export function renderLsipcDetail<R>(record: R, columns: ColumnOf<R>[], ctx: ColumnContext, raw: boolean): Buffer {
  const lines: Buffer[] = [];
  for (const c of columns) {
    if (c.json(record, ctx) === null) continue;
    const label = LABELS[c.name] ?? c.name;
    const text = c.text(record, ctx);
    const value = raw ? unescapeBytes(text) : Buffer.from(text);
    lines.push(
      Buffer.from(`${label}:${' '.repeat(Math.max(1, 35 - label.length))}`),
      value,
      Buffer.from(`${' '.repeat(Math.max(0, 36 - value.length))}\n`),
    );
  }
  return Buffer.concat(lines);
}
