/**
 * gc's last look, attacked in this process: between the plan and the removal
 * a segment is attached, an object's name is given to another object, a
 * segment vanishes. Each is left alone (and said), never removed on the word
 * of a listing that has gone stale.
 */
import { readFileSync } from 'node:fs';
import { planCleanup, removeListed, Shm } from '../../src/index.js';
import { lockKeyFor } from '../../src/sysv/lock-set.js';

const semKeys = (): number[] =>
  readFileSync('/proc/sysvipc/sem', 'latin1')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => Number(l.trim().split(/\s+/)[0]) >>> 0);

test('a segment attached after it was planned for removal stays; one already gone is said to be', () => {
  const shm = Shm.create({ key: 0x5eed0201, size: 4096 });
  const plan = planCleanup('sysv', { keys: [0x5eed0201], unattached: true });
  expect(plan.remove.map((r) => r.kind === 'sysv' && r.id)).toEqual([shm.id]);
  const m = shm.attach();
  try {
    expect(removeListed(plan.remove[0]!)).toEqual({ left: 'attached since it was listed (nattch 1)', warning: null });
    expect(shm.stat().kind).toBe('sysv'); // still there
  } finally {
    m.detach();
  }
  shm.remove();
  expect(removeListed(plan.remove[0]!)).toEqual({ left: 'gone already', warning: null });
});

test('an object whose name was given to another after it was planned stays: the other is not removed', () => {
  const first = Shm.create({ name: '/cleanup-race', size: 10 });
  const plan = planCleanup('posix', { name: 'cleanup-race' }, { ignoreUnreadable: true });
  expect(plan.remove.map((r) => r.kind === 'posix' && r.name)).toEqual(['/cleanup-race']);
  first.remove();
  const second = Shm.create({ name: '/cleanup-race', size: 20 });
  try {
    expect(removeListed(plan.remove[0]!)).toEqual({ left: 'replaced by another object since it was listed', warning: null });
    expect(second.stat().size).toBe(20);
  } finally {
    second.remove();
  }
});

test('what the plan does remove is gone, its lock set with it', async () => {
  const shm = Shm.create({ key: 0x5eed0202, size: 4096 });
  (await shm.lock()).release(); // makes its lock set
  const lockKey = lockKeyFor(shm.id!);
  expect(semKeys()).toContain(lockKey);
  const plan = planCleanup('sysv', { keys: [0x5eed0202] });
  expect(plan.kept).toEqual([]);
  expect(removeListed(plan.remove[0]!)).toEqual({ left: null, warning: null });
  expect(() => shm.stat()).toThrow(/EINVAL|EIDRM/);
  expect(semKeys()).not.toContain(lockKey);
});
