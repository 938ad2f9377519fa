/**
 * lsipc -m -g: the limits as rows of a listing ("ipclimits"), with lsipc's
 * RESOURCE, DESCRIPTION, LIMIT, USED and USE% columns; the segment columns
 * asked for alongside stay empty, as lsipc prints them.
 */
import type { SegmentRecord } from '../../src/model/record.js';
import type { ShmLimits } from '../../src/model/usage.js';
import { columnByName, type ColumnContext, type ColumnOf } from './columns.js';
import { humanSize } from './human.js';

interface LimitRow {
  kind: 'limit';
  resource: string;
  description: string;
  /** What is in use, or null where lsipc shows "-". */
  used: bigint | null;
  limit: bigint;
  /** A size in bytes: human-readable unless -b. */
  bytes: boolean;
}

export const GLOBAL_COLUMNS = ['RESOURCE', 'DESCRIPTION', 'LIMIT', 'USED', 'USE%'];

/** lsipc's four rows: segments (every one listed), pages (the sizes' sum over the page size), the largest and smallest size. */
export function limitRows(lim: ShmLimits, segments: readonly SegmentRecord[], pageSize: number): LimitRow[] {
  const sum = segments.reduce((n, s) => n + BigInt(s.size), 0n);
  const row = (resource: string, description: string, used: bigint | null, limit: bigint, bytes: boolean): LimitRow => ({
    kind: 'limit',
    resource,
    description,
    used,
    limit,
    bytes,
  });
  return [
    row('SHMMNI', 'Shared memory segments', BigInt(segments.length), lim.shmmni, false),
    row('SHMALL', 'Shared memory pages', sum / BigInt(pageSize), lim.shmall, false),
    row('SHMMAX', 'Max size of shared memory segment (bytes)', null, lim.shmmax, true),
    row('SHMMIN', 'Min size of shared memory segment (bytes)', null, lim.shmmin, true),
  ];
}

/** printf's "%2.2f%%" of used / limit. */
function percent(used: bigint, limit: bigint): string {
  return `${((Number(used) / Number(limit)) * 100).toFixed(2).padStart(2)}%`;
}

function limitColumn(name: string, right: boolean, text: (r: LimitRow, ctx: ColumnContext) => string): ColumnOf<LimitRow> {
  return { name, help: '', right, text, json: (r, ctx) => text(r, ctx) };
}

const amount = (n: bigint, r: LimitRow, ctx: ColumnContext): string => (!r.bytes || ctx.bytes ? String(n) : humanSize(n));

/** The columns by name: lsipc's global ones, and any segment column as an empty one (null in JSON). */
export function globalColumns(names: string[]): ColumnOf<LimitRow>[] {
  return names.map((name) => {
    switch (name.trim().toUpperCase()) {
      case 'RESOURCE':
        return limitColumn('RESOURCE', false, (r) => r.resource);
      case 'DESCRIPTION':
        return limitColumn('DESCRIPTION', false, (r) => r.description);
      case 'LIMIT':
        return limitColumn('LIMIT', true, (r, ctx) => amount(r.limit, r, ctx));
      case 'USED':
        return limitColumn('USED', true, (r, ctx) => (r.used === null ? '-' : amount(r.used, r, ctx)));
      case 'USE%':
        return limitColumn('USE%', true, (r) => (r.used === null ? '-' : percent(r.used, r.limit)));
      default: {
        const c = columnByName(name);
        return { name: c.name, help: c.help, right: c.right, text: () => '', json: () => null };
      }
    }
  });
}
