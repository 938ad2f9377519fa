/**
 * `stat`'s own view: every IPC_STAT field, with names, status and times,
 * one "label: value" line each. Coloured labels on a terminal.
 */
import type { LockState } from '../../src/model/lock-state.js';
import { formatKey, permsOf, SHM_DIR, statusOf, type PosixRecord, type SegmentRecord } from '../../src/model/record.js';
import { terminalSafe } from '../../src/model/text.js';
import type { NameLookup } from '../../src/model/usage.js';
import { permString } from './columns.js';
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

export async function renderDetail(r: SegmentRecord, names: NameLookup, opts: { color: boolean }): Promise<string> {
  return renderLines(detailLines(r, names), opts);
}

export async function renderLines(lines: [string, string][], opts: { color: boolean }): Promise<string> {
  const width = Math.max(...lines.map(([label]) => label.length)) + 1;
  const paint = colorLevel(opts.color) !== 0 ? await loadChalk(opts.color) : null;
  return lines
    .map(([label, raw]) => {
      const value = terminalSafe(raw);
      const l = `${label}:`.padEnd(width);
      if (!paint) return `${l} ${value}\n`;
      const v = label === 'status' && value !== '-' ? paint.red.bold(value) : value;
      return `${paint.bold(l)} ${v}\n`;
    })
    .join('');
}
