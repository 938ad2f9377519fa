#!/usr/bin/env node
// Test helper, run inside a test's namespace: changes a segment the way no
// util-linux tool can, through the built library's libc layer.
//   ipc-helper.mjs set ID UID GID     IPC_SET owner (uid/gid may have no passwd entry)
//   ipc-helper.mjs lock ID            SHM_LOCK
import { shmctlSet, shmctlLock } from '../../dist/src/libc.js';

const [what, id, ...rest] = process.argv.slice(2);
if (what === 'set') shmctlSet(Number(id), { uid: Number(rest[0]), gid: Number(rest[1]) });
else if (what === 'lock') shmctlLock(Number(id), true);
else {
  console.error(`ipc-helper: unknown request ${what}`);
  process.exit(2);
}
