/**
 * gc's last look, attacked in this process: between the plan and the removal
 * a segment is attached, an object's name is given to another object, a
 * segment vanishes. Each is left alone (and said), never removed on the word
 * of a listing that has gone stale.
 */
import { readFileSync } from 'node:fs';
import { planCleanup, removeListed, Shm } from '../../../src/api/index.js';
import { lockKeyFor } from '../../../src/sysv/lock-set.js';
import { PosixShm } from '../../../src/posix/shm.js';
import { SysvShm } from '../../../src/sysv/shm.js';

const semKeys = (): number[] =>
  readFileSync('/proc/sysvipc/sem', 'latin1')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => Number(l.trim().split(/\s+/)[0]) >>> 0);

test('a segment attached after it was planned for removal stays; one already gone is said to be', async () => {
  const shm = Shm.create({ key: 0x5eed0201, size: 4096 });
  const plan = planCleanup('sysv', { keys: [0x5eed0201], unattached: true }, { minAge: 0 });
  expect(plan.remove.map((r) => r.kind === 'sysv' && r.id)).toEqual([shm.id]);
  const m = shm.attach();
  try {
    expect(await removeListed(plan.remove[0]!)).toEqual({ left: 'attached since it was listed (nattch 1)', warning: null });
    expect(shm.stat().kind).toBe('sysv'); // still there
  } finally {
    m.detach();
  }
  shm.remove();
  expect(await removeListed(plan.remove[0]!)).toEqual({ left: 'gone already', warning: null });
});

test('an object whose name was given to another after it was planned stays: the other is not removed', async () => {
  const first = Shm.create({ name: '/cleanup-race', size: 10 });
  const plan = planCleanup('posix', { name: 'cleanup-race' }, { ignoreUnreadable: true, minAge: 0 });
  expect(plan.remove.map((r) => r.kind === 'posix' && r.name)).toEqual(['/cleanup-race']);
  first.remove();
  const second = Shm.create({ name: '/cleanup-race', size: 20 });
  try {
    expect(await removeListed(plan.remove[0]!)).toEqual({ left: 'replaced by another object since it was listed', warning: null });
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
  const plan = planCleanup('sysv', { keys: [0x5eed0202] }, { minAge: 0 });
  expect(plan.kept).toEqual([]);
  expect(await removeListed(plan.remove[0]!)).toEqual({ left: null, warning: null });
  expect(() => shm.stat()).toThrow(/EINVAL|EIDRM/);
  expect(semKeys()).not.toContain(lockKey);
});

test('an object mapped, or its lock taken, after it was planned stays: the last look sees it', async () => {
  const obj = Shm.create({ name: '/cleanup-late', size: 4096 });
  try {
    const plan = planCleanup('posix', { name: 'cleanup-late' }, { ignoreUnreadable: true, minAge: 0 });
    expect(plan.remove.map((r) => r.kind === 'posix' && r.name)).toEqual(['/cleanup-late']);
    // mapped after the plan: the last look (a new scan) sees this very process
    const m = obj.attach();
    try {
      expect((await removeListed(plan.remove[0]!)).left).toBe(`mapped or open by pid ${process.pid} since it was listed`);
      // (looked at behind its fence, it was given its name back)
      expect(obj.stat().size).toBe(4096);
    } finally {
      m.detach();
    }
    // its lock taken after the plan: left, whether the look saw it or only the removal's own try of the lock did
    const held = await obj.lock();
    try {
      expect((await removeListed(plan.remove[0]!)).left).toBe('its lock was taken since it was listed');
    } finally {
      held.release();
    }
    expect(obj.stat().size).toBe(4096);
    // nothing holds it now: it goes
    expect(await removeListed(plan.remove[0]!)).toEqual({ left: null, warning: null });
  } finally {
    try {
      obj.remove();
    } catch {
      /* removed above */
    }
  }
});

test('a segment whose lock is taken after it was planned stays (its lock set is not removed while held)', async () => {
  const shm = Shm.create({ key: 0x5eed0203, size: 4096 });
  const plan = planCleanup('sysv', { keys: [0x5eed0203], unattached: true }, { minAge: 0 });
  const held = await shm.lock();
  try {
    expect((await removeListed(plan.remove[0]!)).left).toBe('its lock was taken since it was listed (exclusive)');
    // looked at behind its fence (mode 0), it was given its permission bits back
    expect(shm.stat()).toMatchObject({ kind: 'sysv', mode: 0o600 });
  } finally {
    held.release();
  }
  shm.remove();
});

test("a fence keeps new users away by the object's name or the segment's permission bits, and lifting it gives both back", () => {
  const obj = Shm.create({ name: '/cleanup-fenced', size: 4096 });
  const seg = Shm.create({ key: 0x5eed0204, size: 4096, mode: 0o640 });
  const fences = [new PosixShm('/cleanup-fenced').fence(obj.stat()), new SysvShm(seg.id!).fence(seg.stat())];
  try {
    expect(() => Shm.open({ name: '/cleanup-fenced' }).stat()).toThrow(/no such POSIX shared memory object/);
    expect(readFileSync('/proc/sysvipc/shm', 'latin1')).toMatch(new RegExp(`^ *${0x5eed0204} +${seg.id} +0 `, 'm'));
  } finally {
    for (const f of fences) expect([f.held(), f.lift()]).toEqual([null, null]);
  }
  expect(Shm.open({ name: '/cleanup-fenced' }).stat().size).toBe(4096);
  expect(seg.stat().mode & 0o777).toBe(0o640);
  obj.remove();
  seg.remove();
});
