/**
 * `stat`'s own view: every IPC_STAT field, with names, status and times,
 * one "label: value" line each. Coloured labels on a terminal.
 */
import type { LockState } from '../../src/model/lock-state.js';
import {
  deviceText,
  formatKey,
  permsOf,
  SHM_DIR,
  statusOf,
  type HeldRecord,
  type PosixRecord,
  type SegmentRecord,
} from '../../src/model/record.js';
import { terminalSafe } from '../../src/model/text.js';
import type { NameLookup } from '../../src/model/usage.js';
import { permString } from './human.js';
import { humanSize } from './human.js';
import { colorLevel, loadChalk } from './style.js';
import { ctime } from './time.js';

function named(name: string | null, id: number, kind: 'uid' | 'gid'): string {
  return name === null ? `${id} (no such ${kind === 'uid' ? 'user' : 'group'})` : `${name} (${kind} ${id})`;
}

export function detailLines(r: SegmentRecord, names: NameLookup): [string, string][] {
  const time = (t: number): string => (t ? ctime(t) : 'Not set');
  const status = statusOf(r);
  const lines: [string, string][] = [
    ['shmid', String(r.id)],
    ['key', r.key === 0 ? `${formatKey(r.key)} (IPC_PRIVATE)` : formatKey(r.key)],
    ['size', r.size >= 1024 ? `${r.size} bytes (${humanSize(r.size)})` : `${r.size} bytes`],
    ['perms', `${permsOf(r).toString(8).padStart(4, '0')} (${permString(permsOf(r))})`],
    ['status', status.length ? status.join(', ') : '-'],
    ['owner', named(names.user(r.uid), r.uid, 'uid')],
    ['group', named(names.group(r.gid), r.gid, 'gid')],
    ['creator', named(names.user(r.cuid), r.cuid, 'uid')],
    ['creator group', named(names.group(r.cgid), r.cgid, 'gid')],
    ['nattch', String(r.nattch)],
    ['cpid', String(r.cpid)],
    ['lpid', String(r.lpid)],
    ['attached', time(r.atime)],
    ['detached', time(r.dtime)],
    ['changed', time(r.ctime)],
  ];
  if (r.rss !== null) lines.push(['rss', `${r.rss} bytes`]);
  if (r.swap !== null) lines.push(['swap', `${r.swap} bytes`]);
  return lines;
}

/** A POSIX object's fields: what stat(2) and /proc say of it. */
export function posixDetailLines(r: PosixRecord, names: NameLookup, lock: LockState | null): [string, string][] {
  const time = (t: number): string => (t ? ctime(t) : 'Not set');
  const mappers = r.mappedBy ?? [];
  // Command lines come escaped (a newline is \x0a): one line per field.
  const command = (pid: number): string => names.command(pid) ?? '?';
  let mapped = mappers.length ? mappers.map((pid) => `${pid} (${command(pid)})`).join(', ') : 'none';
  if (r.unreadable) mapped += ` (maps of ${r.unreadable} other process${r.unreadable === 1 ? '' : 'es'} not readable: not counted)`;
  return [
    ['name', r.name],
    ['path', SHM_DIR + r.name],
    ['size', r.size >= 1024 ? `${r.size} bytes (${humanSize(r.size)})` : `${r.size} bytes`],
    ['allocated', `${r.allocated} bytes`],
    ['perms', `${(r.mode & 0o777).toString(8).padStart(4, '0')} (${permString(r.mode & 0o777)})`],
    ['owner', named(names.user(r.uid), r.uid, 'uid')],
    ['group', named(names.group(r.gid), r.gid, 'gid')],
    ['links', String(r.nlink)],
    ['mapped by', mapped],
    [
      'lock',
      lock
        ? `${lock.state}${lock.holders > 1 ? ` (${lock.holders} holders)` : ''}${lock.waiters ? `, ${lock.waiters} waiting` : ''}`
        : 'unknown',
    ],
    ['accessed', time(r.atime)],
    ['modified', time(r.mtime)],
    ['changed', time(r.ctime)],
  ];
}

/** What holds a memfd, deleted file or shared anonymous region: one line per process, its descriptors and mappings. */
function heldByLines(r: HeldRecord, names: NameLookup): [string, string][] {
  const command = (pid: number): string => names.command(pid) ?? '?';
  return r.holders.map((h, i) => {
    const how = [h.fds.length ? `fd ${h.fds.join(',')}` : '', h.mappings ? `${h.mappings} mapping${h.mappings === 1 ? '' : 's'}` : '']
      .filter(Boolean)
      .join(', ');
    return [i === 0 ? 'held by' : '', `${h.pid} (${command(h.pid)}): ${how}`];
  });
}

/** A memfd's, deleted file's or shared anonymous region's fields, as fstat and /proc say them. */
export function heldDetailLines(r: HeldRecord, names: NameLookup): [string, string][] {
  const time = (t: number): string => (t ? ctime(t) : 'Not set');
  const unseen = 'not looked at: only mapped, and /proc/PID/map_files needs root';
  const lines: [string, string][] = [
    ['kind', { memfd: 'memfd', deleted: 'deleted file (removed, still held)', anon: 'shared anonymous memory' }[r.kind]],
    ['name', r.name],
    ['inode', `${r.ino} on ${deviceText(r.dev)}`],
    ['size', `${r.size >= 1024 ? `${r.size} bytes (${humanSize(r.size)})` : `${r.size} bytes`}${r.statted ? '' : ' (the extent mapped)'}`],
    ['allocated', r.allocated === null ? `unknown (${unseen})` : `${r.allocated} bytes`],
    ['huge pages', r.hugetlb ? 'yes (hugetlbfs: from the huge page pools, not in Shmem)' : 'no'],
  ];
  if (r.kind === 'memfd')
    lines.push(['seals', r.seals === null ? 'unknown (no descriptor of it could be opened)' : r.seals.join(', ') || 'none']);
  if (r.statted) {
    lines.push(
      ['perms', `${(r.mode & 0o777).toString(8).padStart(4, '0')} (${permString(r.mode & 0o777)})`],
      ['owner', named(names.user(r.uid), r.uid, 'uid')],
      ['group', named(names.group(r.gid), r.gid, 'gid')],
    );
  } else lines.push(['owner', `${named(names.user(r.uid), r.uid, 'uid')}: its holder's (${unseen})`]);
  lines.push(...heldByLines(r, names));
  if (!r.holders.length) lines.push(['held by', 'none seen']);
  if (r.unreadable)
    lines.push(['not read', `${r.unreadable} process${r.unreadable === 1 ? '' : 'es'} could not be read: they may hold it too`]);
  lines.push(['reached through', r.via ?? 'nothing (no holder could be looked at)']);
  if (r.statted) lines.push(['accessed', time(r.atime)], ['modified', time(r.mtime)], ['changed', time(r.ctime)]);
  return lines;
}

export async function renderDetail(r: SegmentRecord, names: NameLookup, opts: { color: boolean }): Promise<string> {
  return renderLines(detailLines(r, names), opts);
}

export async function renderLines(lines: [string, string][], opts: { color: boolean }): Promise<string> {
  const width = Math.max(...lines.map(([label]) => label.length)) + 1;
  const paint = colorLevel(opts.color) !== 0 ? await loadChalk(opts.color) : null;
  return lines
    .map(([label, raw]) => {
      const value = terminalSafe(raw);
      // a continuation line (label '') lines up under the value above
      const l = label === '' ? ''.padEnd(width) : `${label}:`.padEnd(width);
      if (!paint) return `${l} ${value}\n`;
      const v = label === 'status' && value !== '-' ? paint.red.bold(value) : value;
      return `${paint.bold(l)} ${v}\n`;
    })
    .join('');
}
