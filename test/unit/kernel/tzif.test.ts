import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedOffsetOfZoneFile } from '../../../src/kernel/tzif.js';

describe('fixedOffsetOfZoneFile', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'shmctl-ts-tzif-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a fixed zone is its offset; a zone with transitions is left to libc; a missing file is UTC, as glibc has it', () => {
    expect(fixedOffsetOfZoneFile('/usr/share/zoneinfo/Etc/GMT-14')).toBe(14 * 3600);
    expect(fixedOffsetOfZoneFile('/usr/share/zoneinfo/Etc/UTC')).toBe(0);
    expect(fixedOffsetOfZoneFile('/usr/share/zoneinfo/Asia/Kolkata')).toBeNull();
    expect(fixedOffsetOfZoneFile(join(dir, 'none'))).toBe(0);
  });

  test('a FIFO (or a directory) in its place is no zone, and opening it never waits for a writer', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // without O_NONBLOCK the open itself would block this test until its timeout
    expect(fixedOffsetOfZoneFile(fifo)).toBeNull();
    expect(fixedOffsetOfZoneFile(dir)).toBeNull();
  });
});
