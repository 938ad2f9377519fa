/**
 * The terminal view: any set of columns over segment records as a cli-table3
 * table, with removed (dest) segments dimmed and their status in red, locked
 * in yellow. Loaded only when stdout is a terminal (or --format table).
 */
import { kindIfAny } from '../../src/model/kinds.js';
import type { ShmRecord } from '../../src/model/record.js';
import { terminalSafe } from '../../src/model/text.js';
import { loadChalk } from './style.js';

export interface TableColumn<R = ShmRecord> {
  header: string;
  right?: boolean;
  cell(r: R): string;
}

export async function renderTable<R extends { kind: string }>(
  records: readonly R[],
  columns: TableColumn<R>[],
  opts: { color: boolean; noun?: string; changed?: (r: R) => boolean },
): Promise<string> {
  const [{ default: Table }, chalk] = await Promise.all([import('cli-table3'), loadChalk(opts.color)]);
  // watch: a first column marks what changed since the last refresh (and, in colour, the row is inverted)
  const changed = opts.changed;
  if (changed) columns = [{ header: '', cell: (r) => (changed(r) ? '*' : '') }, ...columns];
  const table = new Table({
    head: columns.map((c) => chalk.bold(c.header)),
    colAligns: columns.map((c) => (c.right ? 'right' : 'left')),
    style: { head: [], border: [] },
    // no rule between rows: one line per segment, like ipcs
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of records) {
    const dim =
      changed && changed(r) ? chalk.inverse : kindIfAny(r)?.going(r as unknown as ShmRecord) ? chalk.dim : (s: string): string => s;
    table.push(
      columns.map((c) => {
        const text = terminalSafe(c.cell(r));
        if (/^status$/i.test(c.header)) {
          return text
            .split(',')
            .map((s) => (s === 'dest' ? chalk.red.bold(s) : s === 'locked' ? chalk.yellow.bold(s) : s))
            .join(',');
        }
        return dim(text);
      }),
    );
  }
  return `${table.toString()}\n${chalk.dim(countOf(records, opts.noun))}\n`;
}

const counted = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The line under a table: "3 segments", "1 object", "2 segments, 1 object", or `noun` counted. */
function countOf(records: readonly { kind: string }[], noun: string | undefined): string {
  if (noun) return counted(records.length, noun);
  const byNoun = new Map<string, number>();
  for (const r of records) {
    const n = kindIfAny(r)?.noun ?? 'segment';
    byNoun.set(n, (byNoun.get(n) ?? 0) + 1);
  }
  const counts = [...byNoun].sort(([a], [b]) => (a === 'segment' ? -1 : b === 'segment' ? 1 : 0));
  return counts.length ? counts.map(([n, c]) => counted(c, n)).join(', ') : counted(0, 'segment');
}

/** Label/value pairs (limits, summary) as a two-column table. */
export async function renderPairs(pairs: [string, string][], opts: { color: boolean }): Promise<string> {
  const [{ default: Table }, chalk] = await Promise.all([import('cli-table3'), loadChalk(opts.color)]);
  const table = new Table({
    style: { head: [], border: [] },
    colAligns: ['left', 'right'],
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const [label, value] of pairs) table.push([chalk.bold(label), terminalSafe(value)]);
  return `${table.toString()}\n`;
}
