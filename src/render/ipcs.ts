/**
 * The views of util-linux 2.38's ipcs for shared memory, byte for byte (C
 * locale). These are the only hand-laid formats: they must match ipcs exactly,
 * trailing spaces included.
 */
import type { NameLookup } from '../names.js';
import { formatKey, isDest, isLocked, permsOf, type SegmentRecord } from '../record.js';
import { ctime } from './time.js';

/** printf's %-Ns */
const left = (text: string | number, width: number): string => String(text).padEnd(width);

/** ipcs's owner cell: the name cut to 10 (%-10.10s), or the uid uncut (%-10u). */
function ownerCell(uid: number, names: NameLookup): string {
  const name = names.user(uid);
  return name === null ? left(uid, 10) : left(name.slice(0, 10), 10);
}

/** `ipcs -m`: empty line, title, header, one row per segment, empty line. */
export function renderIpcsDefault(records: readonly SegmentRecord[], names: NameLookup): string {
  const out: string[] = [
    '\n------ Shared Memory Segments --------\n',
    `${left('key', 10)} ${left('shmid', 10)} ${left('owner', 10)} ${left('perms', 10)} ${left('bytes', 10)} ${left('nattch', 10)} ${left('status', 12)}\n`,
  ];
  for (const r of records) {
    out.push(
      `${formatKey(r.key)} ${left(r.id, 10)} ${ownerCell(r.uid, names)} ${left(permsOf(r).toString(8), 10)} ` +
        `${left(r.size, 10)} ${left(r.nattch, 10)} ${left(isDest(r) ? 'dest' : ' ', 6)} ${left(isLocked(r) ? 'locked' : ' ', 6)}\n`,
    );
  }
  out.push('\n');
  return out.join('');
}

/** printf's %#o: octal with a leading 0, except 0 itself. */
const altOctal = (n: number): string => (n === 0 ? '0' : '0' + n.toString(8));

/** `ipcs -m -i ID`. ipcs prints change_time even when it is 0. */
export function renderIpcsDetail(r: SegmentRecord): string {
  const time = (t: number): string => left(t ? ctime(t) : 'Not set', 26);
  return (
    `\nShared memory Segment shmid=${r.id}\n` +
    `uid=${r.uid}\tgid=${r.gid}\tcuid=${r.cuid}\tcgid=${r.cgid}\n` +
    `mode=${altOctal(r.mode)}\taccess_perms=${altOctal(permsOf(r))}\n` +
    `bytes=${r.size}\tlpid=${r.lpid}\tcpid=${r.cpid}\tnattch=${r.nattch}\n` +
    `att_time=${time(r.atime)}\n` +
    `det_time=${time(r.dtime)}\n` +
    `change_time=${left(ctime(r.ctime), 26)}\n` +
    '\n'
  );
}
