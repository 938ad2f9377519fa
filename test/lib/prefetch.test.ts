/**
 * Making a POSIX object's pages ahead of a write, on another thread through a
 * mapping of its own (PosixObject.prefetch), in this process: an object that
 * another process truncated meanwhile must neither kill us with SIGBUS nor
 * grow back, and the mapping must be gone afterwards.
 */
import { readFileSync, statSync, truncateSync } from 'node:fs';
import { createPosix, removePosix } from '../../src/posix/object.js';
import { PosixObject } from '../../src/posix/descriptor.js';

const mapped = (path: string): boolean => readFileSync('/proc/self/maps', 'utf8').includes(path);

test('prefetch of a range the object no longer has: no SIGBUS, not regrown, no mapping left', async () => {
  createPosix({ name: '/prefetch-truncated', size: 8 << 20, mode: 0o600 });
  const obj = PosixObject.open('/prefetch-truncated', { write: true });
  try {
    truncateSync('/dev/shm/prefetch-truncated', 4096); // "another process"
    obj.prefetch(0, 8 << 20);
    await obj.idle();
    expect(statSync('/dev/shm/prefetch-truncated').size).toBe(4096);
    expect(mapped('/dev/shm/prefetch-truncated')).toBe(false);
    // an intact object: its pages are made (allocated), and the mapping is gone too
    truncateSync('/dev/shm/prefetch-truncated', 8 << 20);
    const before = statSync('/dev/shm/prefetch-truncated').blocks;
    obj.prefetch(1 << 20, 4 << 20);
    await obj.idle();
    expect(statSync('/dev/shm/prefetch-truncated').blocks - before).toBe((4 << 20) / 512);
    expect(statSync('/dev/shm/prefetch-truncated').size).toBe(8 << 20);
    expect(mapped('/dev/shm/prefetch-truncated')).toBe(false);
  } finally {
    obj.close();
    removePosix('/prefetch-truncated');
  }
});
