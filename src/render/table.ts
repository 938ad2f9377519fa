/**
 * The terminal view of `ls`: ipcs -m's columns and values in a cli-table3
 * table, with dest and locked segments coloured so they stand out.
 */
import type { NameLookup } from '../names.js';
import { formatKey, isDest, isLocked, permsOf, statusOf, type SegmentRecord } from '../record.js';
import { loadChalk } from './style.js';

export async function renderTable(
  records: readonly SegmentRecord[],
  names: NameLookup,
  opts: { color: boolean },
): Promise<string> {
  const [{ default: Table }, chalk] = await Promise.all([import('cli-table3'), loadChalk(opts.color)]);
  const table = new Table({
    head: ['key', 'shmid', 'owner', 'perms', 'bytes', 'nattch', 'status'].map((h) => chalk.bold(h)),
    colAligns: ['left', 'right', 'left', 'left', 'right', 'right', 'left'],
    style: { head: [], border: [] },
    // no rule between rows: one line per segment, like ipcs
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of records) {
    const status = statusOf(r)
      .map((s) => (s === 'dest' ? chalk.red.bold(s) : chalk.yellow.bold(s)))
      .join(',');
    const dim = isDest(r) ? chalk.dim : (s: string): string => s;
    table.push([
      r.key === 0 ? chalk.dim(formatKey(r.key)) : formatKey(r.key),
      dim(String(r.id)),
      dim(names.user(r.uid) ?? String(r.uid)),
      dim(permsOf(r).toString(8).padStart(3, '0')),
      dim(String(r.size)),
      r.nattch > 0 ? chalk.green(String(r.nattch)) : String(r.nattch),
      isLocked(r) || isDest(r) ? status : '',
    ]);
  }
  const count = `${records.length} segment${records.length === 1 ? '' : 's'}`;
  return `${table.toString()}\n${chalk.dim(count)}\n`;
}
