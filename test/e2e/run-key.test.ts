/**
 * run --isolate and run --reap: jobs that end badly (SIGKILL) leave no shared
 * memory behind, and nothing that is not theirs is touched; key decode and
 * key ftok against glibc's own ftok (through Python's ctypes) and stat(1).
 * In a private IPC, mount and PID namespace each.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { BIN, exited, NOBODY, PYTHON, until, withNamespace, type Namespace } from '../helpers/ns.js';

const inNs = { pid: true, posix: true };

function output(child: ChildProcess): { out: () => string[]; err: () => string } {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { out: () => out.split('\n').filter(Boolean), err: () => err };
}

/** A job that makes a segment and an object, shows what it sees, then waits to be killed. */
const JOB = 'ipcmk -M 4096 >/dev/null; touch /dev/shm/inside; echo $$; ipcs -m | grep -c "^0x"; ls /dev/shm; sleep 60';

async function isolatedJob(ns: Namespace, as: string[]): Promise<void> {
  const job = ns.start([...as, BIN, 'run', '--isolate', '--', 'sh', '-c', JOB]);
  const { out, err } = output(job);
  await until(() => out().length >= 3, 'the isolated job');
  const [pid, segments, ...objects] = out();
  // inside: its own segment and object, nothing of the namespace it came from
  expect([segments, objects]).toEqual(['1', ['inside']]);
  // outside, while it runs: nothing of the job's
  expect(ns.segments()).toEqual([]);
  expect(ns.objects()).toEqual(['outside']);
  ns.run(['kill', '-9', pid!]);
  expect(await exited(job)).toBe(137);
  expect(err()).toBe('');
  expect(ns.segments()).toEqual([]);
  expect(ns.objects()).toEqual(['outside']);
}

describe('run', () => {
  test('--isolate: the job has an IPC namespace and /dev/shm of its own, gone with it even after SIGKILL; as root and as nobody', () =>
    withNamespace(
      async (ns) => {
        ns.cli(['create', '/outside', '--size', '10', '--mode', '0644']);
        await isolatedJob(ns, []);
        await isolatedJob(ns, NOBODY); // through an unprivileged user namespace
        ns.cli(['rm', '/outside']);
      },
      true,
      inNs,
    ));

  test('--isolate says in one line when it cannot isolate (no root, no way to a user namespace)', () =>
    withNamespace(
      (ns) => {
        // only node on the PATH: util-linux's unshare cannot be found
        const bin = mkdtempSync(join(tmpdir(), 'shmctl-ts-path-'));
        ns.run(['chmod', '755', bin]);
        symlinkSync(process.execPath, join(bin, 'node'));
        try {
          const r = ns.run([...NOBODY, 'env', `PATH=${bin}`, BIN, 'run', '--isolate', '--', 'true']);
          expect(r.status).toBe(1);
          expect(r.stderr).toMatch(
            /^shmctl-ts: run: cannot isolate the job: needs root, or unprivileged user namespaces, which this system refuses: .*\(EPERM\)\n$/,
          );
          expect(ns.cli(['run', '--', 'true']).status).toBe(2);
          expect(ns.cli(['run', '--reap', '--isolate', '--', 'true']).status).toBe(2);
        } finally {
          rmSync(bin, { recursive: true, force: true });
        }
        expect(dirname(bin)).toBe(tmpdir());
      },
      true,
      inNs,
    ));

  test("--reap: after a SIGKILL, what the job's processes made (short-lived makers too) goes; what others made, or is still attached, stays", () =>
    withNamespace(
      async (ns) => {
        const before = Number(ns.cli(['create', '--key', '0x7401', '--size', '4096']).out);
        ns.cli(['create', '/before', '--size', '10']);
        const daemon = `import ctypes, time; l = ctypes.CDLL(None); l.shmat.restype = ctypes.c_void_p; l.shmat(l.shmget(0x7403, 4096, 0o1600), None, 0); time.sleep(60)`;
        const script = [
          'echo $$',
          'ipcmk -M 4096 >/dev/null', // its creator lives a few milliseconds
          `${PYTHON} -c "import ctypes, time; ctypes.CDLL(None).shmget(0x7402, 4096, 0o1600); time.sleep(0.2)"`,
          'touch /dev/shm/made',
          `${PYTHON} -c "import os, time; os.close(os.open('/dev/shm/made-slowly', os.O_CREAT | os.O_RDWR)); time.sleep(0.2)"`,
          `${PYTHON} -c "${daemon}" &`, // outlives the job, attached
          'echo ready',
          'sleep infinity',
        ].join('\n');
        // (the processes outside this test's PID namespace cannot be seen: disregarded here, as gc's tests do)
        const job = ns.start([BIN, 'run', '--reap', '-v', '--ignore-unreadable', '--', 'sh', '-c', script]);
        const { out, err } = output(job);
        await until(() => out().includes('ready') && ns.segments().some((s) => s.key === 0x7403 && s.nattch === 1), 'the job ready');
        // meanwhile another process, not the job's, makes a segment and an object of the same user
        const outsider = ns.start([
          PYTHON,
          '-c',
          "import ctypes, os, time; ctypes.CDLL(None).shmget(0x7404, 4096, 0o1600); os.close(os.open('/dev/shm/outsider', os.O_CREAT | os.O_RDWR)); print(os.getpid(), flush=True); time.sleep(60)",
        ]);
        const outsiderPid = await firstLine(outsider);
        const made = ns.segments().filter((s) => s.id !== before);
        ns.run(['kill', '-9', out()[0]!]);
        expect(await exited(job)).toBe(137);

        const byKey = (key: number): number => made.find((s) => s.key === key)!.id;
        const ipcmk = made.find((s) => ![0x7402, 0x7403, 0x7404].includes(s.key))!;
        const said = err()
          .split('\n')
          .filter(Boolean)
          .map((l) => l.replace(/by pid \d+$/, 'by pid N'));
        expect(said.sort()).toEqual(
          [
            `shmctl-ts: run: note: removed id ${ipcmk.id} (key 0x${ipcmk.key.toString(16).padStart(8, '0')})`,
            `shmctl-ts: run: note: removed id ${byKey(0x7402)} (key 0x00007402)`,
            'shmctl-ts: run: note: removed /made',
            'shmctl-ts: run: note: removed /made-slowly',
            `shmctl-ts: run: kept id ${byKey(0x7403)} (key 0x00007403): attached (nattch 1) by pid N`,
            `shmctl-ts: run: kept id ${byKey(0x7404)} (key 0x00007404): made by pid ${outsiderPid}, which is not one of the job's processes`,
            `shmctl-ts: run: kept /outsider: made by pid ${outsiderPid}, which is not one of the job's processes`,
          ].sort(),
        );
        expect(ns.segments().map((s) => s.key)).toEqual([0x7401, 0x7403, 0x7404]);
        expect(ns.objects()).toEqual(['before', 'outsider']);
        ns.run(['rm', '/dev/shm/before', '/dev/shm/outsider']);
        outsider.kill();
        ns.sh('pkill -f "time[.]sleep"');
        ns.run(['ipcrm', '--all']);
        await ns.until((s) => s.length === 0, 'the daemon gone');
      },
      true,
      inNs,
    ));

  test("--reap: a pid the job used and freed, taken by another process meanwhile, does not make that process's segment the job's", () =>
    withNamespace(
      async (ns) => {
        const script = [
          'echo $$',
          `${PYTHON} -c "import os, time; print(os.getpid(), flush=True); time.sleep(0.3)"`, // seen, then gone
          'echo ready',
          'sleep infinity',
        ].join('\n');
        const job = ns.start([BIN, 'run', '--reap', '-v', '--ignore-unreadable', '--', 'sh', '-c', script]);
        const { out, err } = output(job);
        await until(() => out().includes('ready'), 'the job ready');
        const freed = Number(out()[1]);
        // the next process of this PID namespace gets that pid (ns_last_pid), and makes a segment and an object
        const reuse = ns.sh(
          `echo ${freed - 1} > /proc/sys/kernel/ns_last_pid; ${PYTHON} -c "import ctypes, os; ctypes.CDLL(None).shmget(0x7405, 4096, 0o1600); os.close(os.open('/dev/shm/reused', os.O_CREAT | os.O_RDWR)); print(os.getpid())" &\nwait`,
        );
        expect(Number(reuse.out)).toBe(freed);
        ns.run(['kill', '-9', out()[0]!]);
        expect(await exited(job)).toBe(137);
        expect(err().split('\n').filter(Boolean).sort()).toEqual([
          expect.stringMatching(/^shmctl-ts: run: kept \/reused: made by pid \d+, which (is|was) not one of the job's processes$/),
          expect.stringMatching(
            /^shmctl-ts: run: kept id \d+ \(key 0x00007405\): made by pid \d+, which (is|was) not one of the job's processes$/,
          ),
        ]);
        expect(ns.segments().map((s) => s.key)).toEqual([0x7405]);
        expect(ns.objects()).toEqual(['reused']);
        ns.run(['ipcrm', '--all']);
        ns.run(['rm', '/dev/shm/reused']);
      },
      true,
      inNs,
    ));

  test('--reap without root: an object whose maker cannot be known is kept and said, unless --any-creator; segments are judged by their creator', () =>
    withNamespace(
      (ns) => {
        const job = (...extra: string[]) =>
          ns.run([
            ...NOBODY,
            BIN,
            'run',
            '--reap',
            '-v',
            '--ignore-unreadable',
            ...extra,
            '--',
            'sh',
            '-c',
            'ipcmk -M 4096 >/dev/null; touch /dev/shm/mine',
          ]);
        const kept = job();
        expect(kept.status).toBe(0);
        const lines = kept.stderr.split('\n').filter(Boolean);
        expect(lines).toHaveLength(2);
        expect(lines).toContainEqual(expect.stringMatching(/^shmctl-ts: run: note: removed id \d+ \(key 0x[0-9a-f]{8}\)$/));
        expect(lines).toContainEqual(
          expect.stringMatching(
            /^shmctl-ts: run: kept \/mine: who made it cannot be known here \(fanotify tells who made a file only to root\): --any-creator to remove it anyway$/,
          ),
        );
        expect([ns.segments(), ns.objects()]).toEqual([[], ['mine']]);
        ns.run(['rm', '/dev/shm/mine']);
        expect(job('--any-creator')).toMatchObject({ status: 0, stderr: expect.stringContaining('shmctl-ts: run: note: removed /mine\n') });
        expect([ns.segments(), ns.objects()]).toEqual([[], []]);
        expect(ns.cli(['run', '--isolate', '--any-creator', '--', 'true']).status).toBe(2);
      },
      true,
      inNs,
    ));

  test('--reap keeps what gc would keep: a segment whose lock is held, an object processes not seen could have open', () =>
    withNamespace(
      async (ns) => {
        // the job makes a segment and leaves a process holding its lock (not attached), and makes an object
        const script = [
          'id=$(ipcmk -M 4096 | grep -o "[0-9]*$")',
          `${BIN} lock "$id" -- sleep infinity >/dev/null 2>&1 &`,
          'touch /dev/shm/job-object',
          `until ${BIN} ls -o LOCK --noheadings | grep -q exclusive; do :; done`,
        ].join('\n');
        // (no --ignore-unreadable: processes outside this test's PID namespace are not seen)
        const r = ns.run([BIN, 'run', '--reap', '-v', '--', 'sh', '-c', script]);
        expect(r.status).toBe(0);
        const [seg] = ns.segments();
        expect(r.stderr.split('\n').filter(Boolean).sort()).toEqual(
          [
            `shmctl-ts: run: kept id ${seg!.id} (key 0x${seg!.key.toString(16).padStart(8, '0')}): its lock is held (exclusive)`,
            'shmctl-ts: run: kept /job-object: this PID namespace is not the first: processes of the ones around it are not seen, and may have it open (--ignore-unreadable to disregard them)',
          ].sort(),
        );
        expect(ns.objects()).toEqual(['job-object']);
        ns.sh('pkill -x sleep; true');
        await until(() => !/exclusive/.test(ns.cli(['ls', '-o', 'LOCK', '--noheadings']).out), 'the lock let go');
        ns.cli(['rm', String(seg!.id), '/job-object']);
      },
      true,
      inNs,
    ));

  test('--reap: SIGQUIT, SIGUSR2 or SIGALRM to shmctl-ts are passed to the job, and what it made is still reaped', () =>
    withNamespace(
      async (ns) => {
        for (const [signal, number] of [
          ['QUIT', 3],
          ['USR2', 12],
          ['ALRM', 14],
        ] as const) {
          const job = ns.start([
            BIN,
            'run',
            '--reap',
            '--ignore-unreadable',
            '--',
            'sh',
            '-c',
            'ipcmk -M 4096 >/dev/null; echo ready; sleep infinity',
          ]);
          const { out } = output(job);
          await until(() => out().includes('ready'), 'the job ready');
          ns.run(['pkill', `-${signal}`, '-f', '^[^ ]*node .*shmctl-ts run --reap']);
          // the job's shell dies of it; shmctl-ts lives on to reap, then exits as the job did
          expect(await exited(job)).toBe(128 + number);
          expect(ns.segments()).toEqual([]);
          ns.sh('pkill -x sleep; true');
        }
      },
      true,
      inNs,
    ));
});

/** The first line a child prints. */
async function firstLine(child: ChildProcess): Promise<string> {
  const { out } = output(child);
  await until(() => out().length > 0, 'its first line');
  return out()[0]!;
}

describe('key', () => {
  test('key decode of what ftok(/etc/passwd, 7) makes finds /etc/passwd; every file it finds makes that key', () =>
    withNamespace(
      (ns) => {
        const ftok = (path: string, proj: number): number =>
          Number(
            ns.run([PYTHON, '-c', `import ctypes, sys; print(ctypes.CDLL(None).ftok(sys.argv[1].encode(), ${proj}) & 0xffffffff)`, path])
              .out,
          );
        const key = ftok('/etc/passwd', 7);
        const hex = '0x' + key.toString(16).padStart(8, '0');
        expect(ns.cli(['key', 'ftok', '/etc/passwd', '--proj', '7']).out).toBe(`${hex}\n`);

        const r = ns.cli(['key', 'decode', hex, '--search', '/etc', '--json']);
        expect(r.status).toBe(0);
        const d = JSON.parse(r.out) as {
          key: string;
          proj: number;
          device_low: number;
          inode_low: number;
          files: { path: string; proj: number }[];
        };
        const [dev, ino] = ns.run(['stat', '-c', '%d %i', '/etc/passwd']).out.trim().split(' ').map(Number);
        expect(d).toMatchObject({ key: hex, proj: 7, device_low: dev! & 0xff, inode_low: ino! & 0xffff });
        expect(d.files).toContainEqual({ path: '/etc/passwd', proj: 7 });
        for (const f of d.files) expect(ftok(f.path, 7)).toBe(key);

        const text = ns.cli(['key', 'decode', hex, '--search', '/etc']).out;
        expect(text).toMatch(new RegExp(`^key      ${hex}\nproj     7\ndevice   0x[0-9a-f]{2} .*\ninode    0x[0-9a-f]{4} .*\n`));
        expect(text).toContain('file     /etc/passwd (proj 7)\n');

        // a key nothing under the folder makes (an empty folder: its own inode differs): exit 1, one line
        const empty = ns.run(['mktemp', '-d']).out.trim();
        const other = '0x' + ((ftok(empty, 1) ^ 1) >>> 0).toString(16).padStart(8, '0');
        const none = ns.cli(['key', 'decode', other, '--search', empty]);
        expect(none.status).toBe(1);
        expect(none.stderr).toBe(`shmctl-ts: key: key ${other}: no file under ${empty} makes it\n`);
        ns.run(['rmdir', empty]);
        expect(ns.cli(['key', 'decode', 'nonsense']).status).toBe(2);
        expect(ns.cli(['key', 'encode', '1']).stderr).toBe("shmctl-ts: key: unknown action 'encode': decode or ftok\n");
      },
      true,
      inNs,
    ));
});
