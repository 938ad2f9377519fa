/**
 * The library in this process, on real segments of the test namespace that
 * test/run.mjs made: struct layouts against the kernel's own /proc listing,
 * name lookups against getent, attachments against their bounds.
 */
import { execFileSync } from 'node:child_process';
import { ShmError, OperationError, UsageError } from '../../../src/model/errors.js';
import * as libc from '../../../src/kernel/sysv.js';
import { pageSize } from '../../../src/kernel/ffi.js';
import { groupName, userName } from '../../../src/kernel/names.js';
import { readProcShm } from '../../../src/kernel/proc-shm.js';
import { Attachment } from '../../../src/sysv/attachment.js';
import { createSegment, findKey, openKey, removeSegment, statSegment } from '../../../src/sysv/segment.js';

const made: number[] = [];
function segment(size: number, mode = 0o600, key = 0): number {
  const { id } = createSegment({ key, size, mode });
  made.push(id);
  return id;
}
afterAll(() => {
  for (const id of made) {
    try {
      removeSegment(id);
    } catch {
      /* removed by the test */
    }
  }
});

// keys unique to this file, so parallel test files never meet
const KEY = 0x7e570000 + (process.pid & 0xffff);

describe('struct shmid_ds is decoded at its real x86-64 offsets', () => {
  test('IPC_STAT agrees with /proc/sysvipc/shm on every shared field', () => {
    const id = segment(123457, 0o640, KEY);
    libc.shmctlSet(id, { uid: 4242, gid: 4343, mode: 0o640 });
    const att = Attachment.attach(id);
    att.detach();
    const stat = statSegment(id);
    const row = readProcShm().find((r) => r.id === id)!;
    expect(stat).toEqual(row);
    expect(stat).toMatchObject({
      key: KEY,
      size: 123457,
      mode: 0o640,
      uid: 4242,
      gid: 4343,
      cuid: 0,
      cpid: process.pid,
      lpid: process.pid,
    });
    expect(stat.atime).toBeGreaterThan(0);
    expect(stat.dtime).toBeGreaterThanOrEqual(stat.atime);
  });

  test('nattch and SHM_DEST show through IPC_STAT', () => {
    const id = segment(10);
    const a = Attachment.attach(id);
    const b = Attachment.attach(id, { readonly: true });
    expect(statSegment(id).nattch).toBe(2);
    removeSegment(id);
    const dest = statSegment(id);
    expect(dest.mode & libc.SHM_DEST).toBe(libc.SHM_DEST);
    expect(dest.key).toBe(0);
    a.detach();
    b.detach();
    expect(() => statSegment(id)).toThrow(ShmError);
  });
});

describe('names come from libc, as getent sees them', () => {
  const getent = (db: string, id: number): string | null => {
    try {
      return execFileSync('getent', [db, String(id)], { encoding: 'utf8' }).split(':')[0]!;
    } catch {
      return null;
    }
  };
  test.each([0, 1, 2, 65534, 4000000])('uid and gid %d', (id) => {
    expect(userName(id)).toBe(getent('passwd', id));
    expect(groupName(id)).toBe(getent('group', id));
  });
  test('page size is getconf PAGESIZE', () => {
    expect(pageSize()).toBe(Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' })));
  });
});

describe('Attachment', () => {
  test('views are bounded by the segment size, not the page', () => {
    const id = segment(5000);
    const att = Attachment.attach(id);
    try {
      expect(att.size).toBe(5000);
      att.view(0, 5000).fill(7);
      expect(att.view(4999, 1)[0]).toBe(7);
      expect(att.view(5000, 0).length).toBe(0);
      expect(() => att.view(4999, 2)).toThrow(OperationError);
      expect(() => att.view(5001, 0)).toThrow(OperationError);
      expect(() => att.view(-1, 1)).toThrow(UsageError);
      expect(() => att.view(0.5, 1)).toThrow(UsageError);
      expect(() => att.view(0, 2 ** 53)).toThrow(UsageError);
    } finally {
      att.detach();
    }
  });

  test('detaches exactly once; use after detach throws instead of touching freed memory', () => {
    const id = segment(64);
    const att = Attachment.attach(id);
    expect(att.attached).toBe(true);
    att.detach();
    att.detach();
    expect(att.attached).toBe(false);
    expect(() => att.view(0, 1)).toThrow(/no longer attached/);
    expect(() => att.address).toThrow(/no longer attached/);
    expect(statSegment(id).nattch).toBe(0);
  });

  test('errors carry the syscall, errno and its name', () => {
    try {
      Attachment.attach(2 ** 31 - 1);
      throw new Error('attached a missing id');
    } catch (e) {
      expect(e).toBeInstanceOf(ShmError);
      expect(e).toMatchObject({ syscall: 'shmat', errno: 22, code: 'EINVAL', subject: 'id 2147483647', reason: 'no such segment' });
    }
    expect(findKey(0x7e57ffff)).toBeNull();
    expect(() => openKey(0x7e57ffff)).toThrow(/key 0x7e57ffff: no segment has this key \(ENOENT\)/);
  });
});
