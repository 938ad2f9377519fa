/**
 * /proc/sysvipc/shm: every segment of the IPC namespace, whatever its
 * permissions, in the kernel's index order (which ipcs keeps: no sorting).
 */
import { readFileSync } from 'node:fs';
import { ShmError } from './errors.js';
import type { SegmentRecord } from './record.js';

export const PROC_SHM = '/proc/sysvipc/shm';

const COLUMNS = [
  'key', 'shmid', 'perms', 'size', 'cpid', 'lpid', 'nattch', 'uid', 'gid',
  'cuid', 'cgid', 'atime', 'dtime', 'ctime', 'rss', 'swap',
] as const;
type Column = (typeof COLUMNS)[number];

/**
 * Parse the file's text. Columns are found by the header's names, so a kernel
 * without rss/swap still parses (they come out null). The key is printed as a
 * signed int; the record holds it unsigned. perms is octal and keeps the
 * SHM_DEST/SHM_LOCKED bits.
 */
export function parseProcShm(text: string): SegmentRecord[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').trim().split(/\s+/);
  const at = {} as Record<Column, number>;
  for (const name of COLUMNS) at[name] = header.indexOf(name);
  for (const name of COLUMNS.slice(0, 14)) {
    if (at[name] < 0) throw new Error(`${PROC_SHM}: unexpected header (no '${name}' column): ${lines[0]}`);
  }
  const records: SegmentRecord[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0) continue;
    const f = line.trim().split(/\s+/);
    const num = (name: Column): number => Number(f[at[name]]);
    const optional = (name: Column): number | null => (at[name] < 0 ? null : num(name));
    records.push({
      key: num('key') >>> 0,
      id: num('shmid'),
      mode: parseInt(f[at.perms]!, 8),
      size: num('size'),
      cpid: num('cpid'),
      lpid: num('lpid'),
      nattch: num('nattch'),
      uid: num('uid'),
      gid: num('gid'),
      cuid: num('cuid'),
      cgid: num('cgid'),
      atime: num('atime'),
      dtime: num('dtime'),
      ctime: num('ctime'),
      rss: optional('rss'),
      swap: optional('swap'),
    });
  }
  return records;
}

export function readProcShm(path = PROC_SHM): SegmentRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ShmError('open', -(err.errno ?? 0) || 2, path, `cannot read the segment list (${err.code === 'ENOENT' ? 'is /proc mounted?' : err.message})`);
  }
  return parseProcShm(text);
}
