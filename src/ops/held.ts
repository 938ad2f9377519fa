/**
 * One memfd, deleted file or shared anonymous region, named the only ways it
 * can be: by a holder's descriptor (PID:FD) or by its inode. Found by a scan
 * of every process (it has no name anywhere else), read through a holder's
 * /proc/PID/fd/N or /proc/PID/map_files entry, never written or removed.
 */
import { closeSync, constants, fstatSync, openSync, statSync } from 'node:fs';
import { Errno, hasErrno, OperationError, ShmError } from '../model/errors.js';
import type { HeldRecord } from '../model/record.js';
import type { Region } from '../memory/region.js';
import { PosixObject } from '../posix/descriptor.js';
import { listKinds } from './kinds.js';

/** How a held file is named: a holder's descriptor, or its inode. */
export type HeldTarget = { pid: number; fd: number } | { inode: number };

const heldTargetText = (t: HeldTarget): string => ('inode' in t ? `inode:${t.inode}` : `${t.pid}:${t.fd}`);

/** The held file a target names, with every holder (one scan of every process). */
export function findHeld(target: HeldTarget): HeldRecord {
  const text = heldTargetText(target);
  let dev: number | null = null;
  let ino: number;
  if ('inode' in target) ino = target.inode;
  else {
    try {
      const st = statSync(`/proc/${target.pid}/fd/${target.fd}`);
      dev = st.dev;
      ino = st.ino;
    } catch (e) {
      if (hasErrno(e, Errno.ENOENT)) throw new OperationError(text, `no descriptor ${target.fd} in process ${target.pid}`);
      throw ShmError.of(e).with(text);
    }
  }
  const found = (listKinds('held', true) as HeldRecord[]).filter((r) => r.ino === ino && (dev === null || r.dev === dev));
  if (found.length === 1) return found[0]!;
  if (found.length > 1)
    throw new OperationError(text, `names ${found.length} files (${found.map((r) => r.name).join(', ')}): name one by PID:FD`);
  throw new OperationError(
    text,
    'inode' in target
      ? 'no memfd, removed file or shared anonymous region with this inode is held by a process seen'
      : 'is not a memfd or a removed tmpfs file',
  );
}

/**
 * A held file's bytes, read-only: a descriptor of our own, opened through
 * the holder's /proc entry (as its owner or root), never waiting (a FIFO put
 * in its place), checked to be the same file.
 */
export function openHeld(r: HeldRecord): Region {
  const subject = `${r.name} (inode ${r.ino})`;
  if (r.via === null)
    throw new OperationError(subject, 'cannot be reached: no holder could be looked at (root can, through /proc/PID/map_files)');
  let fd: number;
  try {
    fd = openSync(r.via, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw ShmError.of(e).with(subject, hasErrno(e, Errno.EACCES, Errno.EPERM) ? `permission denied through ${r.via}` : undefined);
  }
  const st = fstatSync(fd);
  if (!st.isFile() || st.dev !== r.dev || st.ino !== r.ino) {
    closeSync(fd);
    throw new OperationError(subject, 'its holder let it go since it was found');
  }
  return PosixObject.adopt(subject, fd);
}
