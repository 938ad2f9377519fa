#!/usr/bin/env node
// Test worker, run in a test's namespace through the built library: a real
// process taking a segment's real lock, many times.
//   lock-worker.mjs count ID N lock|nolock   add 1 to the u32 at offset 0, N times
//   lock-worker.mjs produce ID N            post N messages "message-<i>"
//   lock-worker.mjs consume ID N            take N messages, print one per line
//   lock-worker.mjs hold ID                 take the exclusive lock, say "held", sleep
import { SegmentLock } from '../../dist/src/sysv/lock.js';
import { Attachment } from '../../dist/src/sysv/attachment.js';

const [what, idText, nText, mode] = process.argv.slice(2);
const id = Number(idText);
const n = Number(nText);
const att = Attachment.attach(id);
const lock = await SegmentLock.open(id);
const yieldNow = () => new Promise((r) => setImmediate(r));

if (what === 'count') {
  for (let i = 0; i < n; i++) {
    if (mode === 'lock') await lock.acquire('exclusive');
    const view = att.view(0, 4);
    const value = view.readUInt32LE(0);
    await yieldNow(); // widen the window between read and write
    att.view(0, 4).writeUInt32LE(value + 1, 0);
    if (mode === 'lock') lock.release();
  }
} else if (what === 'produce') {
  for (let i = 0; i < n; i++) {
    await lock.waitEmpty();
    const text = Buffer.from(`message-${i}\0`);
    text.copy(att.view(0, text.length));
    lock.commitPost();
  }
} else if (what === 'consume') {
  const got = [];
  for (let i = 0; i < n; i++) {
    await lock.waitFull();
    const view = att.view(0, 64);
    got.push(view.toString('latin1', 0, view.indexOf(0)));
    lock.commitTake();
  }
  process.stdout.write(got.join('\n') + '\n');
} else if (what === 'hold') {
  await lock.acquire('exclusive');
  process.stdout.write('held\n');
  setInterval(() => {}, 1 << 30);
} else {
  console.error(`lock-worker: unknown request ${what}`);
  process.exit(2);
}
att.detach();
