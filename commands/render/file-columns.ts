/**
 * The columns only files have — objects, memfds, deleted files, shared
 * anonymous memory: their inode, a memfd's seals, the processes holding a
 * held one. Spread into the column table (columns.ts).
 */
import { isHeld, type HeldRecord, type ShmRecord } from '../../src/model/record.js';

/** A field of a held record (memfd, deleted, anon): null for the named kinds. */
const held =
  <T>(pick: (r: HeldRecord) => T) =>
  (r: ShmRecord): T | null =>
    isHeld(r) ? pick(r) : null;

/** A column of the table (columns.ts's Column: these need no context). */
interface FileColumn {
  name: string;
  help: string;
  right: boolean;
  text(r: ShmRecord): string;
  json(r: ShmRecord): string | number | string[] | null;
}

export const FILE_COLUMNS: FileColumn[] = [
  {
    name: 'INODE',
    help: 'The inode of its file (objects, memfds, deleted files, shared anonymous memory)',
    right: true,
    text: (r) => (r.kind === 'sysv' ? '' : String(r.ino)),
    json: (r) => (r.kind === 'sysv' ? null : r.ino),
  },
  {
    name: 'SEALS',
    help: 'memfd: its seals (seal, shrink, grow, write, future_write, exec; empty: none; unreadable: "?")',
    right: false,
    text: (r) => (r.kind === 'memfd' ? (r.seals === null ? '?' : r.seals.join(',')) : ''),
    json: (r) => (r.kind === 'memfd' ? r.seals : null),
  },
  {
    name: 'PIDS',
    help: 'memfd, deleted, anon: the processes holding it, each PID with ×N when it holds it N times (descriptors and mappings)',
    right: false,
    text: (r) => held(pidsOf)(r)?.join(',') ?? '',
    json: (r) => held(pidsOf)(r),
  },
];

/** "813", "900×3": each holder, and how many holds it has when more than one. */
function pidsOf(r: HeldRecord): string[] {
  return r.holders.map((h) => {
    const n = h.fds.length + h.mappings;
    return n > 1 ? `${h.pid}×${n}` : String(h.pid);
  });
}
