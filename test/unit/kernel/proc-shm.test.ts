import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProcShm, procShmReader, readProcShm } from '../../../src/kernel/proc-shm.js';
import { isDest, isMemoryLocked, permsOf } from '../../../src/model/record.js';

// The layout of the kernel's file (header and widths as 6.x prints them).
const HEADER =
  '       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n';

describe('parseProcShm', () => {
  test('reads all 16 columns of a row', () => {
    const text =
      HEADER +
      '      4660          7   600                  4096  1234  5678      2  1000   100     0     0 1795419049 1795419050 1795419000                  4096                     0\n';
    const [r] = parseProcShm(text);
    expect(r).toEqual({
      kind: 'sysv',
      key: 0x1234,
      id: 7,
      mode: 0o600,
      size: 4096,
      cpid: 1234,
      lpid: 5678,
      nattch: 2,
      uid: 1000,
      gid: 100,
      cuid: 0,
      cgid: 0,
      atime: 1795419049,
      dtime: 1795419050,
      ctime: 1795419000,
      rss: 4096,
      swap: 0,
    });
  });

  test('keys are printed signed and read back unsigned', () => {
    const text =
      HEADER +
      '-559038737          0   644                     1     1     0      0     0     0     0     0          0          0 1795419049                     0                     0\n' +
      '        -1          1   644                     1     1     0      0     0     0     0     0          0          0 1795419049                     0                     0\n';
    const keys = parseProcShm(text).map((r) => r.key);
    expect(keys).toEqual([0xdeadbeef, 0xffffffff]);
  });

  test('perms keep SHM_DEST and SHM_LOCKED; sizes beyond 32 bits survive', () => {
    const text =
      HEADER +
      '         0          3  1644           17179869184     1     0      1     0     0     0     0          0          0 1795419049                     0                     0\n' +
      '        99          4  3600                100000     1     0      1     0     0     0     0          0          0 1795419049                     0                     0\n' +
      '       100          5  2640                100000     1     0      1     0     0     0     0          0          0 1795419049                     0                     0\n';
    const [dest, both, locked] = parseProcShm(text);
    expect([isDest(dest!), isMemoryLocked(dest!), permsOf(dest!)]).toEqual([true, false, 0o644]);
    expect(dest!.size).toBe(2 ** 34);
    expect([isDest(both!), isMemoryLocked(both!), permsOf(both!)]).toEqual([true, true, 0o600]);
    expect([isDest(locked!), isMemoryLocked(locked!), permsOf(locked!)]).toEqual([false, true, 0o640]);
  });

  test('an empty namespace has the header only', () => {
    expect(parseProcShm(HEADER)).toEqual([]);
  });

  test('columns are found by name: a kernel without rss/swap still parses', () => {
    const text =
      '       key      shmid perms       size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime\n' +
      '         5          1   600        10     1     0      0     0     0     0     0          0          0 1795419049\n';
    expect(parseProcShm(text)[0]).toMatchObject({ key: 5, id: 1, size: 10, rss: null, swap: null });
  });

  test('refuses a file that is not the segment list', () => {
    expect(() => parseProcShm('       key      msqid perms      cbytes       qnum\n')).toThrow(/no 'shmid' column/);
  });
});

describe('procShmReader (watch: look after look)', () => {
  const row = (id: number, nattch: number): string =>
    `      4660 ${String(id).padStart(10)}   600                  4096  1234  5678 ${String(nattch).padStart(6)}  1000   100     0     0 1795419049 1795419050 1795419000                  4096                     0\n`;

  test('null while the list is byte for byte the same; the records again once any byte changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shmctl-ts-procfs-'));
    try {
      const file = join(dir, 'shm');
      const rows = Array.from({ length: 3000 }, (_, i) => row(i, 0)).join(''); // larger than one read's first buffer
      writeFileSync(file, HEADER + rows);
      const read = procShmReader(file);
      expect(read()).toHaveLength(3000);
      expect(read()).toBeNull();
      expect(read()).toBeNull();
      // one attachment more: one digit changes, the length does not
      writeFileSync(file, HEADER + rows.replace(row(7, 0), row(7, 1)));
      const after = read();
      expect(after?.find((r) => r.id === 7)?.nattch).toBe(1);
      expect(read()).toBeNull();
      // one segment fewer
      writeFileSync(file, HEADER + rows.replace(row(7, 0), ''));
      expect(read()).toHaveLength(2999);
      // back to what an earlier look saw (not the last one): a change again
      writeFileSync(file, HEADER + rows);
      expect(read()).toHaveLength(3000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readProcShm (read a MiB at a time, parsed as it comes)', () => {
  test('the same records as parsing the whole file, when lines straddle the reads; a last line without its newline too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shmctl-ts-procfs-'));
    try {
      const file = join(dir, 'shm');
      // ~2.5 MB: several reads of 1 MiB, each ending inside a line
      const rows = Array.from(
        { length: 15000 },
        (_, i) =>
          `${String(i * 7919).padStart(10)} ${String(i).padStart(10)}   644 ${String(4096 + i).padStart(21)}  1234  5678 ${String(i % 3).padStart(6)}  1000   100     0     0 1795419049 1795419050 1795419000 ${String(i).padStart(21)}                     0\n`,
      ).join('');
      const text = HEADER + rows;
      expect(text.length).toBeGreaterThan(2 * (1 << 20));
      writeFileSync(file, text);
      const read = readProcShm(file);
      expect(read).toHaveLength(15000);
      expect(read).toEqual(parseProcShm(text));
      expect(read[14999]).toMatchObject({ id: 14999, size: 4096 + 14999, rss: 14999, nattch: 14999 % 3 });
      writeFileSync(file, text.slice(0, -1));
      expect(readProcShm(file)).toEqual(parseProcShm(text));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
