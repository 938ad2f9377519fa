/**
 * Which control groups shared memory's pages are charged to (usage
 * --charged): a held file's, through its holder's /proc entry, and this
 * namespace's /dev/shm objects' together. The pages are looked up by
 * kernel/page-charges.ts; the groups named by the paths usage found.
 */
import { closeSync, constants, fstatSync, openSync, statSync } from 'node:fs';
import { pageSize } from '../kernel/ffi.js';
import { pageCharges } from '../kernel/page-charges.js';
import { deviceText, type HeldRecord } from '../model/record.js';
import { shmDir } from '../posix/name.js';
import { listPosix } from '../posix/object.js';
import { openExisting } from '../posix/open.js';

/** Pages by control group (its directory's inode), and pages that could not be told. */
interface Tally {
  byGroup: Map<number, number>;
  untold: number;
}

/** Add the charges of the file open at `fd` (it must be `expect`: device and inode) to `into`; false where it cannot be told. */
function tallyFile(fd: number, expect: { dev: number; ino: number } | null, into: Tally): boolean {
  const st = fstatSync(fd);
  if (!st.isFile() || (expect && (st.dev !== expect.dev || st.ino !== expect.ino))) return false;
  const charges = pageCharges(fd, st.size);
  if (!charges) return false;
  for (const [group, pages] of charges.byGroup) into.byGroup.set(group, (into.byGroup.get(group) ?? 0) + pages);
  into.untold += charges.untold;
  return true;
}

/** A tally as the model says it: each group by its path, bytes, the most first; "?" for what could not be told. */
function chargedList(t: Tally, paths: Map<number, string>): { cgroup: string; bytes: number }[] {
  const page = pageSize();
  const out = [...t.byGroup].map(([inode, pages]) => ({ cgroup: paths.get(inode) ?? `inode ${inode}`, bytes: pages * page }));
  if (t.untold) out.push({ cgroup: '?', bytes: t.untold * page });
  return out.sort((a, b) => b.bytes - a.bytes);
}

/**
 * The control groups a held file's resident pages are charged to, through a
 * descriptor of our own opened by its holder's /proc entry (never waiting,
 * checked to be that file); null where it cannot be told (not root, gone).
 */
export function chargesOf(r: HeldRecord, paths: Map<number, string>): { cgroup: string; bytes: number }[] | null {
  if (r.via === null || !r.statted) return null;
  let fd: number;
  try {
    fd = openSync(r.via, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return null;
  }
  const tally: Tally = { byGroup: new Map(), untold: 0 };
  try {
    return tallyFile(fd, r, tally) ? chargedList(tally, paths) : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * The charges of every object in this namespace's /dev/shm together: each
 * opened as any object is (never following a link, never waiting, a regular
 * file only); null where they cannot be told (not root).
 */
export function devShmCharges(paths: Map<number, string>): { cgroup: string; bytes: number }[] | null {
  const tally: Tally = { byGroup: new Map(), untold: 0 };
  for (const r of listPosix({ usage: false, sorted: false })) {
    if (!r.allocated) continue;
    let fd: number;
    try {
      fd = openExisting(r.name, false);
    } catch {
      continue; // gone meanwhile, or not a file now
    }
    try {
      if (!tallyFile(fd, r, tally)) return null;
    } catch {
      /* changed meanwhile */
    } finally {
      closeSync(fd);
    }
  }
  return chargedList(tally, paths);
}

/** The device of this namespace's /dev/shm ("MAJ:MIN"), or null when it has none. */
export function ownShmDevice(): string | null {
  try {
    return deviceText(statSync(shmDir()).dev);
  } catch {
    return null;
  }
}
