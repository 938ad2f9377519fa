import { statSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYTHON, withNamespace, type Namespace, type RunResult } from '../helpers/ns.js';

/** An error is one line on stderr, in our format, with no stack trace. */
function expectOneLineError(r: RunResult, command: string, status: number, pattern: RegExp): void {
  expect(r.status).toBe(status);
  expect(r.out).toBe('');
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^shmctl-ts: ${command}: `));
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

function idOf(r: RunResult): number {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.out).toMatch(/^\d+\n$/);
  return Number(r.out);
}

const snapshot = (ns: Namespace): string => ns.run(['cat', '/proc/sysvipc/shm']).out;

describe('create', () => {
  test('prints the new id alone; key forms, default mode 0600, ipcmk size suffixes', () =>
    withNamespace((ns) => {
      const cases: [string[], number, number][] = [
        // args, expected key, expected size
        [['--key', '4660', '--size', '1'], 0x1234, 1],
        [['--key', '0xdeadbeef', '--size', '1K'], 0xdeadbeef, 1024],
        [['--key', '0777', '--size', '1KB'], 0o777, 1000],
        [['--key', '-1', '--size', '0.5K'], 0xffffffff, 512],
        [['--private', '--size', '2MiB'], 0, 2 << 20],
        [['-p', '-s', '1.5G'], 0, 1.5 * 2 ** 30],
      ];
      for (const [args, key, size] of cases) {
        const id = idOf(ns.cli(['create', ...args]));
        expect(ns.segments().find((s) => s.id === id)).toMatchObject({ key, size, mode: 0o600 });
      }
      ns.run(['ipcrm', '--all=shm']);
    }));

  test('--mode sets the permission bits; --ftok makes the key ftok(3) makes', () =>
    withNamespace((ns) => {
      const dir = mkdtempSync(join(tmpdir(), 'shmctl-ts-ftok-'));
      try {
        const file = join(dir, 'anchor');
        writeFileSync(file, '');
        const st = statSync(file);
        // glibc: (proj & 0xff) << 24 | (st_dev & 0xff) << 16 | (st_ino & 0xffff)
        const expected = (proj: number): number =>
          (((proj & 0xff) << 24) | ((Number(st.dev) & 0xff) << 16) | (Number(st.ino) & 0xffff)) >>> 0;
        const a = idOf(ns.cli(['create', '--ftok', file, '--size', '10', '--mode', '0640']));
        const b = idOf(ns.cli(['create', '--ftok', file, '--proj', 'A', '--size', '10']));
        const segs = ns.segments();
        expect(segs.find((s) => s.id === a)).toMatchObject({ key: expected(1), mode: 0o640 });
        expect(segs.find((s) => s.id === b)).toMatchObject({ key: expected(65), mode: 0o600 });
        // the same key names the same segment for the other commands
        expect(ns.cli(['stat', '--ftok', file, '--proj', '65', '--json']).out).toContain(`"id": ${b}`);
        expectOneLineError(
          ns.cli(['create', '--ftok', join(dir, 'missing'), '--size', '1']),
          'create',
          1,
          /ftok .*missing: No such file or directory \(ENOENT\)$/,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      ns.run(['ipcrm', '--all=shm']);
    }));

  test('an existing key gives its id, as shmget does; --excl refuses it; a larger size says so', () =>
    withNamespace((ns) => {
      const id = idOf(ns.cli(['create', '--key', '0x1001', '--size', '4096']));
      // a smaller size gets the existing segment, as shmget does, and a word that it is larger
      const smaller = ns.cli(['create', '--key', '0x1001', '--size', '100']);
      expect(smaller).toMatchObject({ status: 0, out: `${id}\n` });
      expect(smaller.stderr).toBe(
        `shmctl-ts: create: key 0x00001001: exists already (shmid ${id}) its size is 4096 bytes, not the 100 asked (use --excl to insist on a new segment)\n`,
      );
      expect(idOf(ns.cli(['create', '--key', '4097', '--size', '4096']))).toBe(id);
      const before = snapshot(ns);
      expectOneLineError(
        ns.cli(['create', '--key', '0x1001', '--size', '4096', '--excl']),
        'create',
        1,
        /^shmctl-ts: create: key 0x00001001: a segment with this key already exists \(shmid \d+\) \(EEXIST\)$/,
      );
      expectOneLineError(
        ns.cli(['create', '--key', '0x1001', '--size', '8192']),
        'create',
        1,
        /key 0x00001001: exists with size 4096 < requested 8192 .*\(EINVAL\)$/,
      );
      expect(snapshot(ns)).toBe(before);
      ns.run(['ipcrm', '--all=shm']);
    }));

  test('an existing segment with other permissions is returned unchanged, with a warning', () =>
    withNamespace((ns) => {
      const id = idOf(ns.cli(['create', '--key', '0x1002', '--size', '64', '--mode', '666']));
      const r = ns.cli(['create', '--key', '0x1002', '--size', '64']);
      expect(r.status).toBe(0);
      expect(Number(r.out)).toBe(id);
      expect(r.stderr).toMatch(/^shmctl-ts: create: key 0x00001002: exists already \(shmid \d+\) with mode 0666, not the 0600 asked/);
      expect(ns.segments()[0]!.mode).toBe(0o666);
      ns.run(['ipcrm', '--all=shm']);
    }));

  test('shmmax in the namespace is reported when a size passes it', () =>
    withNamespace((ns) => {
      ns.sh('echo 8192 > /proc/sys/kernel/shmmax');
      expectOneLineError(
        ns.cli(['create', '--private', '--size', '8193']),
        'create',
        1,
        /size 8193 exceeds kernel.shmmax = 8192; fix: sysctl -w kernel.shmmax=8193 \(EINVAL\)$/,
      );
      expect(ns.segments()).toEqual([]);
    }));

  test('bad input is refused before any call, with status 2, and makes nothing', () =>
    withNamespace((ns) => {
      const bad: [string[], RegExp][] = [
        [['--key', '0', '--size', '1'], /key 0 is IPC_PRIVATE .*--private/],
        [['--key', '0x100000000', '--size', '1'], /out of range: keys are 32-bit/],
        [['--key', 'zz', '--size', '1'], /invalid key 'zz'/],
        [['--key', '5', '--size', '0'], /size must be at least 1 byte/],
        [['--key', '5', '--size', '1.5'], /invalid size '1.5'/],
        [['--key', '5', '--size', '-4'], /invalid size '-4'/],
        [['--key', '5', '--size', '99E'], /too large/],
        [['--key', '5'], /--size SIZE is required/],
        [['--key', '5', '--size', '1', '--mode', '4644'], /bits above 0777/],
        [['--key', '5', '--size', '1', '--mode', '9'], /invalid mode '9'/],
        [['--size', '1'], /exactly one of --key KEY, --private, --ftok PATH/],
        [['--key', '5', '--private', '--size', '1'], /exactly one of/],
        [['--key', '5', '--proj', '3', '--size', '1'], /--proj goes with --ftok/],
        [['--key', '5', '--size', '1', '--bogus'], /unknown option '--bogus'/],
        [['--key'], /option '-k, --key <KEY>' argument missing/],
      ];
      for (const [args, pattern] of bad) expectOneLineError(ns.cli(['create', ...args]), 'create', 2, pattern);
      expect(ns.segments()).toEqual([]);
    }));
});

describe('rm', () => {
  test('ids and keys mixed and repeated; carries on past failures and exits 1; -v names each removal', () =>
    withNamespace((ns) => {
      const a = idOf(ns.cli(['create', '--key', '0x10', '--size', '1']));
      const b = idOf(ns.cli(['create', '--key', '0x20', '--size', '1']));
      const c = idOf(ns.cli(['create', '--private', '--size', '1']));
      const d = idOf(ns.cli(['create', '--key', '48', '--size', '1']));
      const r = ns.cli(['rm', '-v', String(a), '-M', '0x20', '-m', '999', '-M', '0x77', '-m', String(c), '-M', '060']);
      expect(r.status).toBe(1);
      expect(r.out).toBe([a, c, b, d].map((id) => `removing shared memory segment id \`${id}'\n`).join(''));
      expect(r.stderr).toBe(
        'shmctl-ts: rm: id 999: no such segment (EINVAL)\n' + 'shmctl-ts: rm: key 0x00000077: no segment has this key (ENOENT)\n',
      );
      expect(ns.segments()).toEqual([]);
    }));

  test('a typo anywhere removes nothing (status 2)', () =>
    withNamespace((ns) => {
      const a = idOf(ns.cli(['create', '--key', '0x10', '--size', '1']));
      for (const args of [[String(a), 'abc'], ['-m', String(a), '-M', '0'], ['-M', '0x1ffffffff', String(a)], ['-m', '-5'], []]) {
        const r = ns.cli(['rm', ...args]);
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/^shmctl-ts: rm: /);
      }
      expect(ns.segments().map((s) => s.id)).toEqual([a]);
      expect(ns.cli(['rm', String(a)]).status).toBe(0);
    }));

  test('the same removals ipcrm makes, with the same exit status', () =>
    withNamespace((ns) => {
      for (const tool of ['ipcrm', 'shmctl-ts']) {
        const a = ns.ipcmk(10);
        const b = ns.ipcmk(10);
        const keyB = ns.segments().find((s) => s.id === b)!.key;
        const args = ['-m', String(a), '-m', '12345', '-M', `0x${keyB.toString(16)}`];
        const r = tool === 'ipcrm' ? ns.run(['ipcrm', ...args]) : ns.cli(['rm', ...args]);
        expect([tool, r.status]).toEqual([tool, 1]);
        expect(ns.segments()).toEqual([]);
      }
    }));

  test('--all removes every segment but no queue or semaphore set', () =>
    withNamespace((ns) => {
      ns.ipcmk(10);
      ns.cli(['create', '--private', '--size', '1']);
      ns.run(['ipcmk', '-Q']);
      ns.run(['ipcmk', '-S', '2']);
      const r = ns.cli(['rm', '--all']);
      expect(r.status).toBe(0);
      expect(ns.segments()).toEqual([]);
      const left = ns.run(['ipcs', '-q', '-s']).out;
      expect(left).toMatch(/0x[0-9a-f]{8} 0 +root +644 +0 +0/); // the queue
      expect(left).toMatch(/0x[0-9a-f]{8} 0 +root +644 +2/); // the semaphore set
      expectOneLineError(ns.cli(['rm', '--all', '5']), 'rm', 2, /give no ids or keys with it/);
    }));

  test('removing an attached segment leaves it dest and says it is still attached', () =>
    withNamespace(async (ns) => {
      const id = idOf(ns.cli(['create', '--key', '0x30', '--size', '4096']));
      const r = ns.run(['bash', '-c', `${process.cwd()}/bin/shmctl-ts attach ${id} -q -- ${process.cwd()}/bin/shmctl-ts rm ${id}`]);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe(`shmctl-ts: rm: id ${id}: still attached (1 attachment); marked dest, it goes at the last detach\n`);
      expect(ns.segments()).toEqual([]);
      // one process attaching three times is three attachments, not three processes
      const again = idOf(ns.cli(['create', '--key', '0x31', '--size', '4096']));
      const three = ns.run([
        PYTHON,
        '-c',
        `import ctypes, subprocess; l = ctypes.CDLL(None); l.shmat.restype = ctypes.c_void_p\n` +
          `for _ in range(3): assert l.shmat(${again}, None, 0) != 2**64 - 1\n` +
          `print(subprocess.run(['${process.cwd()}/bin/shmctl-ts', 'rm', '${again}'], capture_output=True, text=True).stderr, end='')`,
      ]);
      expect(three.out).toBe(`shmctl-ts: rm: id ${again}: still attached (3 attachments); marked dest, it goes at the last detach\n`);
    }));
});
