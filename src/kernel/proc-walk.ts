/**
 * Walking /proc: every process, each with its maps and where its maps and
 * descriptors are read — its /proc/PID, or a live thread's when its main
 * thread has exited — and its descriptors. What the scans of holds.ts and
 * shmem-files.ts share.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Errno, hasErrno } from '../model/errors.js';
import { readWhole } from './io.js';
import { listPids } from './processes.js';

/**
 * Every process /proc shows, each with its maps and where its maps and
 * descriptors are read (readMaps); the ones that may not be read are added to
 * `unreadable`, the ones gone or holding nothing passed over. Its maps are
 * given as text only when they hold one of `needles` (else '': nothing there
 * for the caller).
 */
export function* everyProcess(unreadable: number[], needles: readonly string[]): Generator<{ pid: number; view: string; maps: string }> {
  for (const pid of listPids()) {
    const seen = readMaps(pid, needles);
    if (seen === 'unreadable') unreadable.push(pid);
    else if (seen !== 'gone') yield { pid, ...seen };
  }
}

/**
 * A process's maps, and where its maps and descriptors are read: the
 * process's /proc/PID, or a live thread's when its main thread has exited.
 * 'gone' for a process that ended (or holds nothing: a kernel thread, a
 * zombie), 'unreadable' when it may not be read.
 */
function readMaps(pid: number, needles: readonly string[]): { view: string; maps: string } | 'gone' | 'unreadable' {
  let length: number;
  try {
    length = readProcFile(`/proc/${pid}/maps`);
  } catch (e) {
    return hasErrno(e, Errno.ENOENT, Errno.ESRCH) ? 'gone' : 'unreadable';
  }
  // kernel threads and zombies map nothing and hold nothing; but a process whose main thread has exited while
  // others run shows nothing there either: its memory and files are seen through a live thread
  if (length === 0) return liveThreadView(pid) ?? 'gone';
  // the text is made only of maps that hold something looked for (most hold nothing of it)
  const bytes = mapsBuffer.subarray(0, length);
  const wanted = needles.some((n) => bytes.includes(n, 0, 'latin1'));
  return { view: `/proc/${pid}`, maps: wanted ? bytes.toString('latin1') : '' };
}

/** One buffer for every maps file read (grown for a larger one): no allocation per process. */
let mapsBuffer: Buffer = Buffer.allocUnsafe(256 << 10);

/** Read a /proc file whole into mapsBuffer; its length. */
function readProcFile(path: string): number {
  const read = readWhole(path, mapsBuffer);
  mapsBuffer = read.buf;
  return read.length;
}

/** A process's descriptors (/proc/PID/fd), none when it is gone; 'unreadable' when it may not be read. */
export function descriptorsOf(view: string): string[] | 'unreadable' {
  try {
    return readdirSync(`${view}/fd`);
  } catch (e) {
    return hasErrno(e, Errno.ENOENT) ? [] : 'unreadable';
  }
}

/**
 * A process whose main thread has exited (its other threads still run):
 * /proc/PID/maps and fd are empty, but /proc/PID/task/TID of a live thread
 * shows the memory and files they share. null when there is none (a kernel
 * thread, a zombie, a process gone).
 */
function liveThreadView(pid: number): { view: string; maps: string } | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  for (const tid of tids) {
    if (tid === String(pid)) continue;
    const view = `/proc/${pid}/task/${tid}`;
    try {
      const maps = readFileSync(`${view}/maps`, 'latin1');
      if (maps !== '') return { view, maps };
    } catch {
      /* ended meanwhile */
    }
  }
  return null;
}

/** Does this process (its main thread exited, a zombie) still have a running thread? */
export function hasLiveThreads(pid: number): boolean {
  return liveThreadView(pid) !== null;
}
