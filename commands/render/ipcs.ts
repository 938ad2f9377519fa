/**
 * The shared memory views of util-linux 2.38's ipcs, byte for byte (C locale).
 * These are the only hand-laid formats: they must match ipcs exactly,
 * trailing spaces included. Each list view is also described as columns for
 * the terminal table (render/table.ts), so both show the same values.
 */
import type { NameLookup, ShmInfo, ShmLimits } from '../../src/model/usage.js';
import { formatKey, isDest, isMemoryLocked, permsOf, statusOf, type SegmentRecord } from '../../src/model/record.js';
import { humanSize, U64_MAX } from './human.js';
import { TextBuffer } from './text-buffer.js';
import { ctime } from './time.js';

/** ipcs's -t -p -c -l -u, and the default. */
export type IpcsView = 'default' | 'time' | 'pid' | 'creator' | 'limits' | 'summary';
export type ListView = Exclude<IpcsView, 'limits' | 'summary'>;
/** --bytes, --human, or neither. */
export type SizeUnit = 'default' | 'bytes' | 'human';

interface IpcsContext {
  names: NameLookup;
  unit: SizeUnit;
}

/** printf's %-Ns */
const left = (text: string | number, width: number): string => String(text).padEnd(width);

/** ipcs's owner cell: the name cut to 10 (%-10.10s), or the uid uncut (%-10u). */
function owner(out: TextBuffer, uid: number, names: NameLookup): TextBuffer {
  const name = names.user(uid);
  return name === null ? out.left(uid, 10) : out.cut(name, 10);
}

/** Names in -c are not cut. */
const userCell = (out: TextBuffer, uid: number, names: NameLookup): TextBuffer => out.left(names.user(uid) ?? uid, 10);
const groupCell = (out: TextBuffer, gid: number, names: NameLookup): TextBuffer => out.left(names.group(gid) ?? gid, 10);

/** " %-20.16s" of ctime()+4: "Nov 23 06:21:11 " or "Not set". */
const shortTime = (out: TextBuffer, t: number): TextBuffer => out.left(t ? ctime(t).slice(4, 20) : 'Not set', 20);

const sizeCell = (out: TextBuffer, size: number, unit: SizeUnit): TextBuffer =>
  unit === 'human' ? out.right(humanSize(size), 6).put('    ') : out.left(size, 10);

interface ListLayout {
  title: string;
  header: (unit: SizeUnit) => string;
  row: (out: TextBuffer, r: SegmentRecord, ctx: IpcsContext) => void;
}

const LAYOUTS: Record<ListView, ListLayout> = {
  default: {
    title: 'Shared Memory Segments',
    header: (unit) =>
      `${left('key', 10)} ${left('shmid', 10)} ${left('owner', 10)} ${left('perms', 10)} ` +
      `${left(unit === 'human' ? 'size' : 'bytes', 10)} ${left('nattch', 10)} ${left('status', 12)}`,
    row: (out, r, { names, unit }) => {
      out.put(formatKey(r.key)).put(' ').left(r.id, 10).put(' ');
      owner(out, r.uid, names).put(' ').left(permsOf(r).toString(8), 10).put(' ');
      sizeCell(out, r.size, unit).put(' ').left(r.nattch, 10).put(' ');
      out
        .left(isDest(r) ? 'dest' : ' ', 6)
        .put(' ')
        .left(isMemoryLocked(r) ? 'locked' : ' ', 6);
    },
  },
  time: {
    title: 'Shared Memory Attach/Detach/Change Times',
    header: () => `${left('shmid', 10)} ${left('owner', 10)} ${left('attached', 20)} ${left('detached', 20)} ${left('changed', 20)}`,
    row: (out, r, { names }) => {
      owner(out.left(r.id, 10).put(' '), r.uid, names).put(' ');
      shortTime(out, r.atime).put(' ');
      shortTime(out, r.dtime).put(' ');
      shortTime(out, r.ctime);
    },
  },
  pid: {
    title: 'Shared Memory Creator/Last-op PIDs',
    header: () => `${left('shmid', 10)} ${left('owner', 10)} ${left('cpid', 10)} ${left('lpid', 10)}`,
    row: (out, r, { names }) => {
      owner(out.left(r.id, 10).put(' '), r.uid, names).put(' ').left(r.cpid, 10).put(' ').left(r.lpid, 10);
    },
  },
  creator: {
    title: 'Shared Memory Segment Creators/Owners',
    header: () => `${left('shmid', 10)} ${left('perms', 10)} ${left('cuid', 10)} ${left('cgid', 10)} ${left('uid', 10)} ${left('gid', 10)}`,
    row: (out, r, { names }) => {
      out.left(r.id, 10).put(' ').left(permsOf(r).toString(8), 10).put(' ');
      userCell(out, r.cuid, names).put(' ');
      groupCell(out, r.cgid, names).put(' ');
      userCell(out, r.uid, names).put(' ');
      groupCell(out, r.gid, names);
    },
  },
};

/** `ipcs -m [-t|-p|-c] [--human|-b]`: empty line, title, header, rows, empty line. */
export function renderIpcsList(view: ListView, records: readonly SegmentRecord[], ctx: IpcsContext): Buffer {
  const layout = LAYOUTS[view];
  const out = new TextBuffer().put(`\n------ ${layout.title} --------\n`).put(layout.header(ctx.unit)).put('\n');
  for (const r of records) {
    layout.row(out, r, ctx);
    out.put('\n');
  }
  return out.put('\n').toBuffer();
}

/** ipc_print_size: "name (kbytes) = N", "name (bytes) = N", or "name = 16E". */
function limitLine(name: string, value: bigint, unit: 'bytes' | 'kbytes' | 'human'): string {
  if (unit === 'human') return `${name} = ${humanSize(value)}\n`;
  return `${name} (${unit}) = ${unit === 'kbytes' ? value / 1024n : value}\n`;
}

/** `ipcs -m -l`, with util-linux's clamping where shmall × page size passes 64 bits. */
export function renderIpcsLimits(lim: ShmLimits, pageSize: number, unit: SizeUnit): string {
  const page = BigInt(pageSize);
  let total: string;
  if (unit === 'default') {
    const kbPerPage = page / 1024n;
    let t = BigInt.asUintN(64, lim.shmall * kbPerPage);
    if (lim.shmall !== 0n && t / lim.shmall !== kbPerPage) t = U64_MAX - (U64_MAX % kbPerPage);
    total = `max total shared memory (kbytes) = ${t}\n`;
  } else {
    let t = BigInt.asUintN(64, lim.shmall * page);
    if (lim.shmall !== 0n && t / lim.shmall !== page) t = U64_MAX - (U64_MAX % page);
    total = limitLine('max total shared memory', t, unit);
  }
  return (
    '\n------ Shared Memory Limits --------\n' +
    `max number of segments = ${lim.shmmni}\n` +
    limitLine('max seg size', lim.shmmax, unit === 'default' ? 'kbytes' : unit) +
    total +
    limitLine('min seg size', lim.shmmin, unit === 'default' ? 'bytes' : unit) +
    '\n'
  );
}

/** `ipcs -m -u`: SHM_INFO's counts (pages). */
export function renderIpcsSummary(info: ShmInfo): string {
  return (
    '\n------ Shared Memory Status --------\n' +
    `segments allocated ${info.usedIds}\n` +
    `pages allocated ${info.shmTot}\n` +
    `pages resident  ${info.shmRss}\n` +
    `pages swapped   ${info.shmSwp}\n` +
    `Swap performance: ${info.swapAttempts} attempts\t ${info.swapSuccesses} successes\n` +
    '\n'
  );
}

/** printf's %#o: octal with a leading 0, except 0 itself. */
const altOctal = (n: number): string => (n === 0 ? '0' : '0' + n.toString(8));

/** `ipcs -m -i ID [--human|-b]`. ipcs prints change_time even when it is 0. */
export function renderIpcsDetail(r: SegmentRecord, unit: SizeUnit = 'default'): string {
  const time = (t: number): string => left(t ? ctime(t) : 'Not set', 26);
  const size = unit === 'human' ? `size=${humanSize(r.size)}` : `bytes=${r.size}`;
  return (
    `\nShared memory Segment shmid=${r.id}\n` +
    `uid=${r.uid}\tgid=${r.gid}\tcuid=${r.cuid}\tcgid=${r.cgid}\n` +
    `mode=${altOctal(r.mode)}\taccess_perms=${altOctal(permsOf(r))}\n` +
    `${size}\tlpid=${r.lpid}\tcpid=${r.cpid}\tnattch=${r.nattch}\n` +
    `att_time=${time(r.atime)}\n` +
    `det_time=${time(r.dtime)}\n` +
    `change_time=${left(ctime(r.ctime), 26)}\n` +
    '\n'
  );
}

/** The same list views as columns, for the terminal table. */
interface TerminalColumn {
  header: string;
  right?: boolean;
  cell(r: SegmentRecord, ctx: IpcsContext): string;
}

const timeText = (t: number): string => (t ? ctime(t).slice(4, 19) : 'Not set');

export const TERMINAL_COLUMNS: Record<ListView, (unit: SizeUnit) => TerminalColumn[]> = {
  default: (unit) => [
    { header: 'key', cell: (r) => formatKey(r.key) },
    { header: 'shmid', right: true, cell: (r) => String(r.id) },
    { header: 'owner', cell: (r, { names }) => names.user(r.uid) ?? String(r.uid) },
    { header: 'perms', cell: (r) => permsOf(r).toString(8).padStart(3, '0') },
    { header: unit === 'human' ? 'size' : 'bytes', right: true, cell: (r) => (unit === 'human' ? humanSize(r.size) : String(r.size)) },
    { header: 'nattch', right: true, cell: (r) => String(r.nattch) },
    { header: 'status', cell: (r) => statusOf(r).join(',') },
  ],
  time: () => [
    { header: 'shmid', right: true, cell: (r) => String(r.id) },
    { header: 'owner', cell: (r, { names }) => names.user(r.uid) ?? String(r.uid) },
    { header: 'attached', cell: (r) => timeText(r.atime) },
    { header: 'detached', cell: (r) => timeText(r.dtime) },
    { header: 'changed', cell: (r) => timeText(r.ctime) },
  ],
  pid: () => [
    { header: 'shmid', right: true, cell: (r) => String(r.id) },
    { header: 'owner', cell: (r, { names }) => names.user(r.uid) ?? String(r.uid) },
    { header: 'cpid', right: true, cell: (r) => String(r.cpid) },
    { header: 'lpid', right: true, cell: (r) => String(r.lpid) },
  ],
  creator: () => [
    { header: 'shmid', right: true, cell: (r) => String(r.id) },
    { header: 'perms', cell: (r) => permsOf(r).toString(8).padStart(3, '0') },
    { header: 'cuid', cell: (r, { names }) => names.user(r.cuid) ?? String(r.cuid) },
    { header: 'cgid', cell: (r, { names }) => names.group(r.cgid) ?? String(r.cgid) },
    { header: 'uid', cell: (r, { names }) => names.user(r.uid) ?? String(r.uid) },
    { header: 'gid', cell: (r, { names }) => names.group(r.gid) ?? String(r.gid) },
  ],
};
