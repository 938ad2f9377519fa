/**
 * An object's fence: renamed to a private name in the same directory, so that
 * nobody can open it by its name while it is looked at a last time. Removed,
 * the private name is unlinked; let back, it is linked to its name again —
 * never over a name made meanwhile (link(2) refuses), which is then said.
 */
import { linkSync, lstatSync, renameSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Errno, hasErrno, OperationError } from '../model/errors.js';
import type { PosixRecord } from '../model/record.js';
import type { Fence } from '../memory/fence.js';
import { pathOf } from './name.js';
import { explainFs } from './object.js';

export function fenceObject(listed: PosixRecord): Fence {
  const name = listed.name;
  const from = pathOf(name);
  // node:crypto (and the streams it brings) loads only here: ~8 ms of every start otherwise
  const { randomBytes } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  const aside = `/.shmctl-ts-removing-${process.pid}-${randomBytes(6).toString('hex')}`;
  const to = pathOf(aside);
  try {
    renameSync(from, to);
  } catch (e) {
    throw explainFs(e, name, 'rename');
  }
  const putBack = (): string | null => {
    try {
      linkSync(to, from);
    } catch (e) {
      if (hasErrno(e, Errno.EEXIST)) return `its name was made again meanwhile, so it stays as ${aside}`;
      throw explainFs(e, name, 'link');
    }
    unlinkSync(to);
    return null;
  };
  // the name may have been given to another file since it was listed: that one goes back at once
  const st = lstatSync(to);
  if (st.dev !== listed.dev || st.ino !== listed.ino) {
    const note = putBack();
    throw new OperationError(name, `replaced by another object since it was listed${note ? `; ${note}` : ''}`);
  }
  return {
    held: () => null,
    lift: putBack,
    remove: () => {
      unlinkSync(to);
      return { warning: null };
    },
  };
}
