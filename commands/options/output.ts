/**
 * How ls and stat choose their output: ipcs's views (byte for byte), lsipc's
 * machine formats over the column table, or the terminal table.
 */
import { UsageError } from '../../src/model/errors.js';
import type { NameLookup } from '../../src/kernel/names.js';
import type { ColumnContext } from '../render/columns.js';
import type { TimeFormat } from '../render/time.js';
import type { SizeUnit } from '../render/ipcs.js';
import type { OptionSpec, Options } from './spec.js';

/** --json, --raw, --export: short for --format json|raw|export. */
export const formatShorthands: OptionSpec[] = [
  { flags: '-j, --json', description: 'same as --format json: lsipc\'s {"sharedmemory": [...]} with typed values' },
  { flags: '-r, --raw', description: 'same as --format raw: lsipc --raw' },
  { flags: '-e, --export', description: 'same as --format export: lsipc --export, NAME="value" pairs' },
];

/** lsipc's options; any of them (without --format) selects lsipc's output. */
export const lsipcOptions: OptionSpec[] = [
  { flags: '-o, --output <LIST>', description: 'lsipc columns, comma-separated; +LIST adds to the default; all for every column' },
  { flags: '--noheadings', description: 'no header line (lsipc formats)' },
  {
    flags: '--time-format <FORMAT>',
    description: 'times as short, full or iso (lsipc formats; JSON defaults to iso)',
    choices: ['short', 'full', 'iso'],
  },
  { flags: '-P, --numeric-perms', description: 'PERMS as octal (0644) rather than rw-r--r--' },
];

/** ipcs's size units, the last one given winning. */
export const unitOptions: OptionSpec[] = [
  { flags: '--human', description: 'sizes as 97.7K (ipcs --human)', sets: { key: 'unit', value: 'human' } },
  { flags: '-b, --bytes', description: 'sizes in bytes (ipcs -b; lsipc -b)', sets: { key: 'unit', value: 'bytes' } },
];

/** The format asked for with --format or a shorthand, if any; two different ones contradict. */
export function askedFormat(opts: Options): string | undefined {
  const asked = new Set<string>();
  if (opts.format !== undefined) asked.add(opts.format as string);
  for (const f of ['json', 'raw', 'export', 'newline'] as const) if (opts[f]) asked.add(f);
  if (asked.size > 1) throw new UsageError(`contradictory formats: ${[...asked].join(', ')}`);
  return [...asked][0];
}

/** Were any of lsipc's own options given? */
export function lsipcOptionsGiven(opts: Options): boolean {
  return (
    opts.output !== undefined ||
    opts.noheadings === true ||
    opts.timeFormat !== undefined ||
    opts.numericPerms === true ||
    // ls only: lsipc's -g, -y and --notruncate
    opts.global === true ||
    opts.shell === true ||
    opts.notruncate === true
  );
}

export function sizeUnit(opts: Options): SizeUnit {
  return (opts.unit as SizeUnit | undefined) ?? 'default';
}

export function columnContext(opts: Options, names: NameLookup, format: string): ColumnContext {
  return {
    names,
    bytes: sizeUnit(opts) === 'bytes',
    numericPerms: opts.numericPerms === true,
    time: (opts.timeFormat as TimeFormat | undefined) ?? (format === 'json' ? 'iso' : 'short'),
    now: Math.floor(Date.now() / 1000),
  };
}
