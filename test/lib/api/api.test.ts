/**
 * The public API (`import ... from 'shmctl-ts'`, here its source entry), in
 * this process: no spawned command anywhere. The suite runs in a private IPC
 * namespace with its own /dev/shm (test/run.mjs).
 */
import { readFileSync } from 'node:fs';
import { isMissing, list, LockTimeout, OperationError, Shm, ShmError } from '../../../src/index.js';

const procRow = (id: number): string[] | undefined =>
  readFileSync('/proc/sysvipc/shm', 'latin1')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1] === String(id));

describe.each([
  ['System V segment', { key: 0x5eed0001 }],
  ['POSIX object', { name: '/api-test' }],
] as const)('%s', (_kind, naming) => {
  test('create, write, read, stat, list and remove — no process spawned', () => {
    const shm = Shm.create({ ...naming, size: 8192 });
    try {
      expect(shm.created).toBe(true);
      expect(shm.write(100, 'hello')).toBe(5);
      expect(shm.read(100, 5).toString()).toBe('hello');
      expect(shm.read().length).toBe(8192);
      const rec = shm.stat();
      expect(rec).toMatchObject({ size: 8192, mode: expect.any(Number) });
      expect(rec.mode & 0o777).toBe(0o600);
      expect(list({ kind: 'all' }).some((r) => ('name' in r ? r.name === shm.name : r.id === shm.id))).toBe(true);
      // opening again by what names it finds the same one
      const again = Shm.open('name' in naming ? naming : { key: naming.key });
      expect(again.read(100, 5).toString()).toBe('hello');
      // bounds: refused before anything is written
      expect(() => shm.write(8190, 'xyz')).toThrow(OperationError);
      expect(() => shm.write(8190, 'xyz')).toThrow(/passes the end of the (segment|object) \(8192 bytes\)/);
    } finally {
      shm.remove();
    }
    try {
      shm.stat();
      throw new Error('stat of a removed one succeeded');
    } catch (e) {
      expect(e).toBeInstanceOf(ShmError);
      expect(isMissing(e)).toBe(true);
      expect(['ENOENT', 'EINVAL', 'EIDRM']).toContain((e as ShmError).code);
      expect((e as ShmError).errno).toBeGreaterThan(0);
    }
  });

  test('attach: the Buffer is the memory; detach exactly once; use after detach throws, a kept Buffer is harmless', () => {
    const shm = Shm.create({ ...naming, size: 4096 });
    try {
      const m = shm.attach();
      m.buffer.write('zero-copy');
      expect(shm.read(0, 9).toString()).toBe('zero-copy'); // written through the mapping, read through another path
      const kept = m.view(0, 16);
      if (shm.id !== null) expect(procRow(shm.id)?.[6]).toBe('1'); // nattch
      m.detach();
      m.detach(); // once: a second call does nothing
      expect(m.attached).toBe(false);
      expect(() => m.buffer).toThrow(/no longer attached/);
      expect(() => m.view(0, 1)).toThrow(OperationError);
      expect(() => m.address).toThrow(OperationError);
      if (shm.id !== null) expect(procRow(shm.id)?.[6]).toBe('0'); // really detached
      // the Buffer kept from before reads zeros, not the segment, and does not fault
      expect(kept.toString('latin1', 0, 9)).toBe('\0'.repeat(9));
      kept.fill(1); // writes go nowhere that matters
      expect(shm.read(0, 9).toString()).toBe('zero-copy');
      // read-only mappings refuse writes through the copy API
      const ro = shm.attach({ readonly: true });
      expect(ro.buffer.toString('latin1', 0, 9)).toBe('zero-copy');
      expect(() => ro.writeWindows(0, 1, 1, () => 1)).toThrow(/read-only/);
      ro.detach();
    } finally {
      shm.remove();
    }
  });

  test('lock returns a release handle; a second exclusive lock times out with LockTimeout', async () => {
    const shm = Shm.create({ ...naming, size: 16 });
    try {
      const held = await shm.lock();
      expect(held.mode).toBe('exclusive');
      // a second request waits even from this process (semaphore slots are all
      // taken; a flock is per descriptor and each lock() opens its own)
      await expect(shm.lock({ timeoutMs: 50 })).rejects.toBeInstanceOf(LockTimeout);
      held.release();
      held.release();
      const reader = await shm.lock({ shared: true, timeoutMs: 1000 });
      const reader2 = await shm.lock({ shared: true, timeoutMs: 1000 });
      await expect(shm.lock({ timeoutMs: 50 })).rejects.toThrow(/timed out after 0.05 s waiting for the exclusive lock \(held shared/);
      reader.release();
      reader2.release();
      (await shm.lock({ timeoutMs: 1000 })).release();
    } finally {
      shm.remove();
    }
  });
});

test('typed errors carry code and errno; create refuses an ambiguous request', () => {
  expect(() => Shm.create({ size: 1 })).toThrow(/exactly one of key, private, ftok, name/);
  expect(() => Shm.open({ name: 'no-slash' })).toThrow(/must begin with a slash/);
  const shm = Shm.create({ private: true, size: 1 });
  try {
    expect(() => Shm.create({ key: 0x5eed0002, size: 1, mode: 0o600, exclusive: true }).remove()).not.toThrow();
    try {
      Shm.open({ key: 0x5eed0003 });
      throw new Error('opened a key nobody has');
    } catch (e) {
      expect(e).toMatchObject({ code: 'ENOENT', errno: 2, syscall: 'shmget', reason: 'no segment has this key' });
    }
  } finally {
    shm.remove();
  }
});
