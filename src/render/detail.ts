/**
 * `stat`'s own view: every IPC_STAT field, with names, status and times,
 * one "label: value" line each. Coloured labels on a terminal.
 */
import type { NameLookup } from '../names.js';
import { formatKey, permsOf, statusOf, type SegmentRecord } from '../record.js';
import { permString } from './columns.js';
import { humanSize } from './human.js';
import { loadChalk } from './style.js';
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

export async function renderDetail(r: SegmentRecord, names: NameLookup, opts: { color: boolean }): Promise<string> {
  const lines = detailLines(r, names);
  const width = Math.max(...lines.map(([label]) => label.length)) + 1;
  const paint = opts.color ? await loadChalk(true) : null;
  return lines
    .map(([label, value]) => {
      const l = `${label}:`.padEnd(width);
      if (!paint) return `${l} ${value}\n`;
      const v = label === 'status' && value !== '-' ? paint.red.bold(value) : value;
      return `${paint.bold(l)} ${v}\n`;
    })
    .join('');
}
