#!/usr/bin/env node
// Test helper, run inside a test's namespace: puts a segment in a state that
// no util-linux tool can make (an owner with no passwd entry, SHM_LOCK), so
// that ipcs and shmctl-ts can be compared on it.
//   ipc-helper.mjs set ID UID GID     IPC_SET owner and group
//   ipc-helper.mjs lock ID            SHM_LOCK
import { lockSegment, setSegment } from '../../dist/src/sysv/segment.js';

const [what, id, ...rest] = process.argv.slice(2);
if (what === 'set') setSegment(Number(id), { uid: Number(rest[0]), gid: Number(rest[1]) });
else if (what === 'lock') lockSegment(Number(id), true);
else {
  console.error(`ipc-helper: unknown request ${what}`);
  process.exit(2);
}
