/**
 * What shmctl-ts reads of the system from /proc (processes: processes.ts):
 *   /proc/sysvipc/shm and /proc/sysvipc/sem   the namespace's segments and semaphore sets
 *   /proc/sys/kernel/*, /proc/sys/vm/*         limits
 *   /proc/locks                                flock/fcntl locks on files
 *
 * /proc/sysvipc/shm lists every segment of the IPC namespace, whatever its
 * permissions, in the kernel's index order (which ipcs keeps: no sorting). A
 * namespace may hold 32,768 segments, so the file is read in a few large
 * reads and parsed byte by byte, numbers straight from the digits, without
 * making a string per line or per field.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { Errno, errnoOf, hasErrno, OperationError, ShmError } from '../model/errors.js';
import type { LockState } from '../model/lock-state.js';
import type { SegmentRecord } from '../model/record.js';

const PROC_SHM = '/proc/sysvipc/shm';

const COLUMNS = [
  'key',
  'shmid',
  'perms',
  'size',
  'cpid',
  'lpid',
  'nattch',
  'uid',
  'gid',
  'cuid',
  'cgid',
  'atime',
  'dtime',
  'ctime',
  'rss',
  'swap',
] as const;
type Column = (typeof COLUMNS)[number];

const SPACE = 0x20;
const NEWLINE = 0x0a;
const MINUS = 0x2d;

/**
 * Parse the file. Columns are found by the header's names, so a kernel
 * without rss/swap still parses (they come out null). The key is printed as a
 * signed int; the record holds it unsigned. perms is octal and keeps the
 * SHM_DEST/SHM_LOCKED bits.
 */
export function parseProcShm(data: Buffer | string): SegmentRecord[] {
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const headerEnd = buf.indexOf(NEWLINE);
  const headerLine = buf.toString('latin1', 0, headerEnd < 0 ? buf.length : headerEnd);
  const header = headerLine.trim().split(/\s+/);
  const at = {} as Record<Column, number>;
  for (const name of COLUMNS) at[name] = header.indexOf(name);
  for (const name of COLUMNS.slice(0, 14)) {
    if (at[name] < 0) throw new OperationError(PROC_SHM, `unexpected header (no '${name}' column): ${headerLine}`);
  }
  const width = header.length;
  const fields = new Array<number>(width);
  const records: SegmentRecord[] = [];
  let i = headerEnd < 0 ? buf.length : headerEnd + 1;
  const end = buf.length;
  while (i < end) {
    // one line: `width` whitespace-separated numbers
    let f = 0;
    while (i < end && buf[i] !== NEWLINE) {
      while (i < end && buf[i] === SPACE) i++;
      if (i >= end || buf[i] === NEWLINE) break;
      let negative = false;
      if (buf[i] === MINUS) {
        negative = true;
        i++;
      }
      // perms is octal: read its digits as written, convert below
      let value = 0;
      while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39) value = value * 10 + (buf[i++]! - 0x30);
      if (f < width) fields[f] = negative ? -value : value;
      f++;
      while (i < end && buf[i] !== SPACE && buf[i] !== NEWLINE) i++; // anything unexpected
    }
    i++;
    if (f === 0) continue;
    if (f < width) throw new OperationError(PROC_SHM, `a line has ${f} fields, the header ${width}`);
    records.push({
      kind: 'sysv',
      key: fields[at.key]! >>> 0,
      id: fields[at.shmid]!,
      mode: octal(fields[at.perms]!),
      size: fields[at.size]!,
      cpid: fields[at.cpid]!,
      lpid: fields[at.lpid]!,
      nattch: fields[at.nattch]!,
      uid: fields[at.uid]!,
      gid: fields[at.gid]!,
      cuid: fields[at.cuid]!,
      cgid: fields[at.cgid]!,
      atime: fields[at.atime]!,
      dtime: fields[at.dtime]!,
      ctime: fields[at.ctime]!,
      rss: at.rss < 0 ? null : fields[at.rss]!,
      swap: at.swap < 0 ? null : fields[at.swap]!,
    });
  }
  return records;
}

/** The value of decimal digits that were octal digits: 1644 → 0o1644. */
function octal(digits: number): number {
  let value = 0;
  for (let place = 1; digits > 0; place *= 8, digits = Math.floor(digits / 10)) value += (digits % 10) * place;
  return value;
}

/**
 * The whole file, in as few read(2)s as the kernel allows (procfs files have no size), into `buf` (or a larger one
 * when it is too small): the buffer read into, and how much of it the file filled.
 */
function readAll(path: string, buf: Buffer = Buffer.allocUnsafe(1 << 20)): { buf: Buffer; length: number } {
  const fd = openSync(path, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, length);
        buf = bigger;
      }
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) return { buf, length };
      length += n;
    }
  } finally {
    closeSync(fd);
  }
}

function readShmFile(path: string, buf?: Buffer): { buf: Buffer; length: number } {
  try {
    return readAll(path, buf);
  } catch (e) {
    throw new ShmError(
      'open',
      errnoOf(e) ?? Errno.ENOENT,
      path,
      `cannot read the segment list (${hasErrno(e, Errno.ENOENT) ? 'is /proc mounted?' : (e as Error).message})`,
    );
  }
}

export function readProcShm(path = PROC_SHM): SegmentRecord[] {
  const { buf, length } = readShmFile(path);
  return parseProcShm(buf.subarray(0, length));
}

/**
 * Reads of the segment list one after another (watch's looks): two buffers used in turn, so that a look touches no
 * fresh memory, and null when the file is byte for byte what the last read found — nothing in it changed, not even
 * a time or a page count, so there is nothing to parse (what a steady look costs is the kernel's read and a compare).
 */
export function procShmReader(path = PROC_SHM): () => SegmentRecord[] | null {
  let last: { buf: Buffer; length: number } | null = null;
  let spare: Buffer | undefined;
  return () => {
    const now = readShmFile(path, spare);
    const data = now.buf.subarray(0, now.length);
    if (last && last.length === now.length && data.equals(last.buf.subarray(0, last.length))) {
      spare = now.buf;
      return null;
    }
    spare = last?.buf;
    last = now;
    return parseProcShm(data);
  };
}

/** One row of /proc/sysvipc/sem: what a lock listing needs. */
interface SemRow {
  key: number;
  semid: number;
  nsems: number;
  cuid: number;
}

/** The namespace's semaphore sets; none when the file cannot be read. */
export function readProcSem(): SemRow[] {
  let text: string;
  try {
    text = readFileSync('/proc/sysvipc/sem', 'latin1');
  } catch {
    return [];
  }
  const rows: SemRow[] = [];
  // key semid perms nsems uid gid cuid cgid otime ctime
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    rows.push({ key: Number(f[0]) >>> 0, semid: Number(f[1]), nsems: Number(f[3]), cuid: Number(f[6]) });
  }
  return rows;
}

/** One of /proc/sys/kernel's values (shmmax, shmall, shmmni…), or null when it cannot be read. */
export function readKernel(name: string): bigint | null {
  return readSysValue(`kernel/${name}`);
}

/** A value under /proc/sys ("vm/nr_hugepages"), or null. */
export function readSysValue(path: string): bigint | null {
  try {
    return BigInt(readFileSync(`/proc/sys/${path}`, 'latin1').trim());
  } catch {
    return null;
  }
}

/** flock, fcntl and OFD locks from /proc/locks, by "MAJ:MIN INODE". A file with no entry is free. */
export function readFileLocks(): Map<string, LockState> {
  const states = new Map<string, LockState>();
  let text: string;
  try {
    text = readFileSync('/proc/locks', 'latin1');
  } catch {
    return states;
  }
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const waiting = f[1] === '->';
    const g = waiting ? f.slice(1) : f;
    // N: TYPE ADVISORY|MANDATORY READ|WRITE PID MAJ:MIN:INODE START END
    const access = g[3];
    const where = /^([0-9a-f]+):([0-9a-f]+):(\d+)$/.exec(g[5] ?? '');
    if (!where) continue;
    const key = `${where[1]!.padStart(2, '0')}:${where[2]!.padStart(2, '0')} ${where[3]}`;
    const s = states.get(key) ?? { state: 'free', holders: 0, waiters: 0 };
    if (waiting) s.waiters++;
    else {
      s.holders++;
      s.state = access === 'WRITE' ? 'exclusive' : s.state === 'exclusive' ? 'exclusive' : 'shared';
    }
    states.set(key, s);
  }
  return states;
}

/** /proc/meminfo's values in bytes ("HugePages_Total" and the like are counts, as printed). */
export function readMeminfo(): Map<string, number> {
  const out = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync('/proc/meminfo', 'latin1');
  } catch {
    return out;
  }
  for (const m of text.matchAll(/^(\w+(?:\(\w+\))?):\s+(\d+)( kB)?$/gm)) out.set(m[1]!, Number(m[2]) * (m[3] ? 1024 : 1));
  return out;
}

/** A cgroup's memory limit and use: v2 memory.max/current, v1 memory.limit_in_bytes/usage_in_bytes. */
export function readCgroupMemory(path: string): { version: 1 | 2; limit: number | null; usage: number | null } | null {
  const read = (file: string): string | null => {
    try {
      return readFileSync(file, 'latin1').trim();
    } catch {
      return null;
    }
  };
  const v2 = read(`/sys/fs/cgroup${path}/memory.max`);
  if (v2 !== null) {
    const usage = read(`/sys/fs/cgroup${path}/memory.current`);
    return { version: 2, limit: v2 === 'max' ? null : Number(v2), usage: usage === null ? null : Number(usage) };
  }
  const v1 = read(`/sys/fs/cgroup/memory${path}/memory.limit_in_bytes`);
  if (v1 === null) return null;
  const usage = read(`/sys/fs/cgroup/memory${path}/memory.usage_in_bytes`);
  // v1 says "no limit" with a huge page-aligned number
  const limit = Number(v1);
  return { version: 1, limit: limit >= 2 ** 62 ? null : limit, usage: usage === null ? null : Number(usage) };
}
