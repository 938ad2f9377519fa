/**
 * Every errno the shm calls can return, provoked for real through the
 * commands (the Linux Test Project's shmget/shmat/shmctl cases), and bad
 * command-line input: one line on stderr, the documented status, and no
 * segment made, changed or removed.
 */
import { BIN, withNamespace, type Namespace, type RunResult, NOBODY, WAIT_FOR } from '../helpers/ns.js';

const snapshot = (ns: Namespace): string =>
  // everything but the times a failed attach or stat may not change anyway
  ns.run(['cat', '/proc/sysvipc/shm']).out;

function expectRefusal(r: RunResult, status: number, line: RegExp): void {
  const lines = r.stderr.split('\n').filter(Boolean);
  expect({ status: r.status, lines: lines.length, stdout: r.out }).toEqual({ status, lines: 1, stdout: '' });
  expect(lines[0]).toMatch(/^shmctl-ts: /);
  expect(lines[0]).toMatch(line);
  expect(r.signal).toBeNull();
}

describe('errno, provoked for real', () => {
  test("EINVAL: size above shmmax, above an existing key's size, unknown and removed ids", () =>
    withNamespace((ns) => {
      ns.sh('echo 8192 > /proc/sys/kernel/shmmax');
      const id = ns.cli(['create', '--key', '0x10', '--size', '4096']).out.trim();
      ns.cli(['write', id, '--data', 'kept']);
      const before = snapshot(ns);
      expectRefusal(
        ns.cli(['create', '--private', '--size', '8193']),
        1,
        /private segment: size 8193 exceeds kernel.shmmax = 8192; fix: sysctl -w kernel.shmmax=8193 \(EINVAL\)$/,
      );
      expectRefusal(
        ns.cli(['create', '--key', '0x10', '--size', '5000']),
        1,
        /key 0x00000010: exists with size 4096 < requested 5000 \(shmid \d+\) \(EINVAL\)$/,
      );
      for (const cmd of [
        ['stat', '4242'],
        ['read', '4242'],
        ['write', '4242', '--data', 'x'],
        ['attach', '4242'],
        ['rm', '4242'],
        ['set', '4242', '--mode', '600'],
      ]) {
        expectRefusal(ns.cli(cmd), 1, /id 4242: no such segment \(EINVAL\)$/);
      }
      expect(snapshot(ns)).toBe(before);
      const gone = ns.cli(['create', '--private', '--size', '1']).out.trim();
      ns.cli(['rm', gone]);
      expectRefusal(ns.cli(['read', gone]), 1, new RegExp(`id ${gone}: no such segment \\(EINVAL\\)$`));
      ns.run(['ipcrm', '--all=shm']);
    }));

  test('EEXIST and ENOENT', () =>
    withNamespace((ns) => {
      ns.cli(['create', '--key', '0x20', '--size', '10']);
      const before = snapshot(ns);
      expectRefusal(
        ns.cli(['create', '--key', '0x20', '--size', '10', '--excl']),
        1,
        /key 0x00000020: a segment with this key already exists \(shmid \d+\) \(EEXIST\)$/,
      );
      for (const cmd of [
        ['stat', '--key', '0x21'],
        ['read', '--key', '0x21'],
        ['rm', '-M', '0x21'],
        ['lock', '--key', '0x21', '--', 'true'],
      ]) {
        expectRefusal(ns.cli(cmd), 1, /key 0x00000021: no segment has this key \(ENOENT\)$/);
      }
      expect(snapshot(ns)).toBe(before);
      ns.run(['ipcrm', '--all=shm']);
    }));

  test('EACCES: another user may not read, write or attach a 0600 segment, nor open its key for more', () =>
    withNamespace((ns) => {
      const id = ns.cli(['create', '--key', '0x30', '--size', '100']).out.trim();
      ns.cli(['write', id, '--data', 'secret']);
      const before = snapshot(ns);
      const as = (args: string[]): RunResult => ns.run([...NOBODY, BIN, ...args]);
      expectRefusal(as(['read', id]), 1, new RegExp(`id ${id}: permission denied for read-only attach \\(EACCES\\)$`));
      expectRefusal(as(['write', id, '--data', 'x']), 1, /permission denied for read-write attach \(EACCES\)$/);
      expectRefusal(as(['attach', id, '--timeout', '0']), 1, /permission denied for read-write attach; try --readonly \(EACCES\)$/);
      expectRefusal(as(['attach', id, '--readonly', '--timeout', '0']), 1, /permission denied for read-only attach \(EACCES\)$/);
      expectRefusal(
        as(['create', '--key', '0x30', '--size', '10']),
        1,
        /key 0x00000030: permission denied for the access asked .* \(EACCES\)$/,
      );
      // what the kernel shows everyone in /proc, stat shows too (as ipcs does)
      expect(as(['stat', id, '--field', 'size'])).toMatchObject({ status: 0, out: '100\n' });
      expect(snapshot(ns)).toBe(before);
      expect(ns.cli(['read', id, '--format', 'string']).out).toBe('secret\n');
      ns.run(['ipcrm', '--all=shm']);
    }));

  test("EPERM: removing or changing another user's segment; locking memory without the right", () =>
    withNamespace((ns) => {
      const id = ns.cli(['create', '--key', '0x40', '--size', '100', '--mode', '666']).out.trim();
      const before = snapshot(ns);
      const as = (args: string[]): RunResult => ns.run([...NOBODY, BIN, ...args]);
      expectRefusal(as(['rm', id]), 1, /permission denied: only its owner, its creator or a privileged user may remove it \(EPERM\)$/);
      expectRefusal(as(['rm', '-M', '0x40']), 1, /\(EPERM\)$/);
      expectRefusal(as(['set', id, '--mode', '600']), 1, /may change it \(EPERM\)$/);
      expectRefusal(
        as(['set', id, '--lock-memory']),
        1,
        /locking needs CAP_IPC_LOCK, or ownership and a RLIMIT_MEMLOCK above 0 \(EPERM\)$/,
      );
      // rm --all as that user removes nothing of root's and says nothing
      expect(as(['rm', '--all'])).toMatchObject({ status: 0, stderr: '' });
      expect(snapshot(ns)).toBe(before);
      ns.run(['ipcrm', '--all=shm']);
    }));

  test('ENOSPC: the segment limit and the total limit of the namespace', () =>
    withNamespace((ns) => {
      ns.sh('echo 2 > /proc/sys/kernel/shmmni');
      ns.cli(['create', '--private', '--size', '1']);
      ns.cli(['create', '--private', '--size', '1']);
      const before = snapshot(ns);
      expectRefusal(
        ns.cli(['create', '--private', '--size', '1']),
        1,
        /segment limit kernel.shmmni = 2 reached; fix: sysctl -w kernel.shmmni=3 \(ENOSPC\)$/,
      );
      expect(snapshot(ns)).toBe(before);
      ns.run(['ipcrm', '--all=shm']);
      ns.sh('echo 4096 > /proc/sys/kernel/shmmni; echo 10 > /proc/sys/kernel/shmall');
      expectRefusal(
        ns.cli(['create', '--private', '--size', '100K']),
        1,
        /total shared memory limit kernel.shmall = 10 pages reached; fix: sysctl -w kernel.shmall=\d+ \(ENOSPC\)$/,
      );
      expect(ns.segments()).toEqual([]);
    }));

  test('ENOMEM: more than can be committed, unless --noreserve', () =>
    withNamespace((ns) => {
      expectRefusal(
        ns.cli(['create', '--private', '--size', '64T']),
        1,
        // the commit accounting named, with its setting and its bound, and the fix
        /not enough memory for 70368744177664 bytes \(try --noreserve\): vm\.overcommit_memory = [02] .*; fix: create it with --noreserve .*\(ENOMEM\)$/,
      );
      expect(ns.segments()).toEqual([]);
      expect(ns.cli(['create', '--private', '--size', '64T', '--noreserve']).status).toBe(0);
      ns.run(['ipcrm', '--all=shm']);
    }));

  test('races: segments removed and re-made under a reader fail cleanly or succeed, never crash', () =>
    withNamespace(async (ns) => {
      const churn = ns.start(['sh', '-c', `for i in $(seq 30); do id=$(${BIN} create --key 0x50 --size 4096); ${BIN} rm "$id"; done`]);
      const outcomes: (number | null)[] = [];
      while (churn.exitCode === null) {
        const r = ns.cli(['read', '--key', '0x50', '--length', '16']);
        outcomes.push(r.status);
        expect(r.signal).toBeNull();
        if (r.status !== 0) expect(r.stderr).toMatch(/^shmctl-ts: read: (key 0x00000050|id \d+): [^\n]+\((ENOENT|EINVAL|EIDRM)\)\n$/);
        else expect(r.stdout.length).toBe(16);
        await new Promise((res) => setTimeout(res, 5));
      }
      expect(outcomes.length).toBeGreaterThan(0);
      ns.run(['ipcrm', '--all=shm']);
    }));
});

describe('bad command-line input', () => {
  const cases: [string[], number, RegExp][] = [
    [['frobnicate'], 2, /unknown command 'frobnicate'/],
    [['ls', '--colour'], 2, /unknown option '--colour'/],
    [['ls', '--format'], 2, /argument missing/],
    [['ls', '--format', 'xml'], 2, /Allowed choices are ipcs, table, lsipc, raw, export, newline, json/],
    [['ls', '--json', '--raw'], 2, /contradictory formats: json, raw/],
    [['ls', '-o', 'KEY,NOPE'], 2, /unknown column 'NOPE'/],
    [['ls', '-o', ''], 2, /empty column name/],
    [['ls', '--format', 'ipcs', '-o', 'KEY'], 2, /lsipc options/],
    [['ls', '-l', '--raw'], 2, /--limits has no lsipc format/],
    [['ls', '--id', '-1'], 2, /./],
    [['ls', '--id', '1e9'], 2, /invalid id '1e9'/],
    [['ls', '--key', '0x1ffffffff'], 2, /out of range: keys are 32-bit/],
    [['stat'], 2, /name a segment or object: an ID, \/NAME, --key KEY, --ftok PATH or --posix NAME/],
    [['stat', '1', '--key', '2'], 2, /name the segment once/],
    [['stat', 'abc'], 2, /invalid id 'abc'/],
    [['stat', '99999999999999999999'], 2, /out of range/],
    [['stat', ''], 2, /invalid id ''/],
    [['stat', '1', '--field', 'size', '--json'], 2, /--field prints bare values/],
    [['stat', '--proj', '3', '1'], 2, /--proj goes with --ftok/],
    [['stat', '--ftok', '/no/such/path'], 1, /ftok \/no\/such\/path: No such file or directory \(ENOENT\)$/],
    [['create', '--key', '1', '--size', ''], 2, /invalid size ''/],
    [['create', '--key', '1', '--size', '-1'], 2, /invalid size '-1'/],
    [['create', '--key', '1', '--size', '18446744073709551616'], 2, /too large/],
    [['create', '--key', '1', '--size', '1', '--mode', '0o1777'], 2, /bits above 0777/],
    [['create', '--key', '4294967296', '--size', '1'], 2, /out of range: keys are 32-bit/],
    [['create', '--key', '', '--size', '1'], 2, /invalid key ''/],
    [['create', '--ftok', '/etc/passwd', '--proj', '256', '--size', '1'], 2, /invalid project id '256'/],
    [['read', '0', '--offset', '9007199254740993'], 2, /offset '9007199254740993' is too large/],
    [['read', '0', '--length', 'lots'], 2, /invalid length 'lots'/],
    [['write', '0', '--offset', '-4', '--data', 'x'], 2, /invalid offset '-4'/],
    [['write', '0', '--data', 'a', '--file', '/etc/passwd'], 2, /give --data or --file, not both/],
    [['attach', '0', '--timeout', 'soon'], 2, /invalid number of seconds 'soon'/],
    [['attach', '0', '--timeout', '-1'], 2, /invalid number of seconds '-1'/],
    [['lock', '0'], 2, /give the command to run/],
    [['set', '0'], 2, /nothing to change/],
    [['set', '0', '--owner', 'nosuchuser-xyz'], 2, /no such user 'nosuchuser-xyz'/],
    [['set', '0', '--owner', '4294967295'], 2, /uid 4294967295 is out of range/],
    [['rm', '-m', '1', '-m', 'x'], 2, /invalid id 'x'/],
    [['rm', '-M', '0'], 2, /key 0 is IPC_PRIVATE/],
  ];

  test.each(cases)('%j → status %d', (args, status, line) =>
    withNamespace((ns) => {
      const id = ns.cli(['create', '--key', '0x60', '--size', '64']).out.trim();
      expect(id).toBe('0');
      const before = snapshot(ns);
      expectRefusal(ns.cli(args), status, line);
      expect(snapshot(ns)).toBe(before);
      ns.run(['ipcrm', '--all=shm']);
    }),
  );
});

describe('memory safety and signals', () => {
  test('--readonly really maps the segment read-only (SHM_RDONLY)', () =>
    withNamespace(async (ns) => {
      const id = ns.cli(['create', '--key', '0x70', '--size', '8192']).out.trim();
      for (const [flag, perms] of [
        ['--readonly', 'r--s'],
        ['-q', 'rw-s'],
      ] as const) {
        const holder = ns.start([BIN, 'attach', id, '-q', flag]);
        await ns.until((s) => s[0]!.nattch === 1, 'attached');
        const maps = ns.run(['cat', `/proc/${holder.pid}/maps`]).out;
        expect(maps).toMatch(new RegExp(`^[0-9a-f]+-[0-9a-f]+ ${perms} 00000000 00:01 \\d+ +/SYSV00000070 \\(deleted\\)$`, 'm'));
        const exited = new Promise((r) => holder.once('exit', r));
        holder.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
      ns.cli(['rm', id]);
    }));

  test('a segment removed during a long read is read to the end (the mapping stays valid)', () =>
    withNamespace((ns) => {
      const id = ns.cli(['create', '--key', '0x71', '--size', '256M']).out.trim();
      // removed once the reader holds it (nattch 1), whenever that is
      const r = ns.sh(
        `${WAIT_FOR} ${BIN} read ${id} | (poll sh -c '[ "$(${BIN} stat ${id} --field nattch)" = 1 ]'; ${BIN} rm ${id}; wc -c)`,
      );
      expect(r.status).toBe(0);
      expect(r.out.trim()).toBe(String(256 << 20));
      expect(ns.segments()).toEqual([]);
    }));

  test('SIGINT and SIGTERM during a long read or write leave nothing attached', () =>
    withNamespace(
      async (ns) => {
        const id = ns.cli(['create', '--key', '0x72', '--size', '64M']).out.trim();
        for (const [cmd, signal] of [
          [`${BIN} read ${id} | sleep infinity`, 'SIGINT'],
          [`sleep infinity | ${BIN} write ${id}`, 'SIGTERM'],
        ] as const) {
          const child = ns.start(['sh', '-c', cmd]);
          await ns.until((s) => s[0]!.nattch === 1, 'attached');
          const pid = ns
            // the node process itself (the sh -c that started the pipeline has these words in its command line too)
            .run(['pgrep', '-f', `^[^ ]*node [^ ]*shmctl-ts (read|write) ${id}`])
            .out.trim()
            .split('\n')[0]!;
          ns.run(['kill', `-${signal.slice(3)}`, pid]);
          await ns.until((s) => s[0]!.nattch === 0, 'detached');
          child.kill('SIGKILL');
        }
        ns.cli(['rm', id]);
      },
      true,
      // pgrep here sees this namespace's processes only, never another test's `shmctl-ts read 0`
      { pid: true },
    ));
});
