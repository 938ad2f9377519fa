/**
 * A segment's fence: its permission bits set to 0 (IPC_SET), so that no one
 * but a privileged process (CAP_IPC_OWNER) can attach it while it is looked
 * at a last time; its nattch is then read again. Let back, it gets its bits
 * again. The kernel has no stronger fence for a segment.
 */
import type { SegmentRecord } from '../model/record.js';
import type { Fence } from '../memory/fence.js';
import * as libc from '../kernel/sysv.js';
import { removeLockFor } from './lock-set.js';
import { removeSegment, statSegment } from './segment.js';

export function fenceSegment(listed: SegmentRecord): Fence {
  const id = listed.id;
  const owners = { uid: listed.uid, gid: listed.gid };
  libc.shmctlSet(id, { ...owners, mode: 0 });
  return {
    held: () => {
      const now = statSegment(id, { usage: false });
      return now.nattch > 0 ? `attached since it was listed (nattch ${now.nattch})` : null;
    },
    lift: () => {
      libc.shmctlSet(id, { ...owners, mode: listed.mode & 0o777 });
      return null;
    },
    remove: () => {
      const { before } = removeSegment(id);
      return { warning: before ? removeLockFor(before).problem : null };
    },
  };
}
