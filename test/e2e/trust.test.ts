/**
 * Trust, tried as an adversarial local user would: forged and squatted lock
 * sets, locks that outlive or die before their command, endings that tell the
 * truth, and a Ctrl-C that reaches a command once. Real processes, real
 * semaphores, users root, nobody (65534) and 1000, each test in its own
 * namespace.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { lockKeyFor } from '../../src/sysv/lock-set.js';
import { BIN, exited, NOBODY, PYTHON, pythonCreator, until, USER1000, withNamespace, type Namespace } from '../helpers/ns.js';

function lines(child: ChildProcess): () => string {
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  return () => out;
}

/** The semaphore sets of the namespace: key (hex), semid, owner uid, creator uid, mode. */
function sets(ns: Namespace): { key: number; semid: number; uid: number; cuid: number; mode: number }[] {
  return ns
    .run(['cat', '/proc/sysvipc/sem'])
    .out.trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .map((f) => ({ key: Number(f[0]) >>> 0, semid: Number(f[1]), mode: parseInt(f[2]!, 8), uid: Number(f[4]), cuid: Number(f[6]) }));
}

function lockColumn(ns: Namespace): string {
  return JSON.parse(ns.cli(['ls', '--json']).out).sharedmemory[0].lock;
}

/** A set at `key` exactly like a shmctl-ts lock (4 semaphores, marked, initialised), made by nobody. */
function forge(ns: Namespace, key: number): number {
  const py = `
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
sid = libc.semget(${key}, 4, 0o1666)
assert sid >= 0, ctypes.get_errno()
libc.semctl(sid, 0, 16, ctypes.c_int(32767))
libc.semctl(sid, 1, 16, ctypes.c_int(1))
class Sembuf(ctypes.Structure):
    _fields_ = [("num", ctypes.c_ushort), ("op", ctypes.c_short), ("flg", ctypes.c_short)]
assert libc.semop(sid, ctypes.byref(Sembuf(3, 21332, 0)), 1) == 0
print(sid)`;
  const r = ns.run([...NOBODY, PYTHON, '-c', py]);
  expect(r.stderr).toBe('');
  return Number(r.out);
}

describe('the lock: forged', () => {
  test("a set made at the lock's key by another user is refused, with the way to remove it; nothing is taken from it", () =>
    withNamespace((ns) => {
      const id = Number(ns.cli(['create', '--key', '0x7001', '--size', '8', '--mode', '0644']).out);
      const semid = forge(ns, lockKeyFor(id));
      const expected =
        `id ${id}: semaphore set ${semid} at its lock's key was made by uid 65534 (nobody), not by the segment's owner, ` +
        `its creator or root: not trusted as its lock; remove it with: ipcrm -s ${semid}\n`;
      for (const [cmd, args] of [
        ['lock', ['lock', String(id), '--', 'true']],
        ['write', ['write', String(id), '--lock', '--data', 'x']],
        ['read', ['read', String(id), '--lock']],
        ['write', ['write', String(id), '--post', '--data', 'x']],
        ['read', ['read', String(id), '--wait', '--timeout', '0.1']],
      ] as const) {
        const r = ns.cli([...args]);
        expect(r).toMatchObject({ status: 1, stderr: `shmctl-ts: ${cmd}: ${expected}` });
      }
      expect(lockColumn(ns)).toBe('untrusted');
      // rm leaves the forged set alone (it is not ours), and says nothing of it
      expect(ns.cli(['rm', String(id)])).toMatchObject({ status: 0, stderr: '' });
      expect(sets(ns).map((s) => s.semid)).toEqual([semid]);
      ns.run(['ipcrm', '-s', String(semid)]);
    }));

  test("a set of another shape at the lock's key (any maker) shows as untrusted in LOCK, and lock says whose it is", () =>
    withNamespace((ns) => {
      const id = Number(ns.cli(['create', '--key', '0x7004', '--size', '8']).out);
      const make = (who: string[], n: number): number =>
        Number(ns.run([...who, PYTHON, '-c', `import ctypes; print(ctypes.CDLL(None).semget(${lockKeyFor(id)}, ${n}, 0o1666))`]).out);
      for (const [who, n] of [
        [NOBODY, 1],
        [[], 1],
        [[], 4],
      ] as const) {
        const semid = make([...who], n);
        expect(semid).toBeGreaterThanOrEqual(0);
        expect(lockColumn(ns)).toBe('untrusted');
        const r = ns.cli(['lock', String(id), '--timeout', '0', '--', 'true']);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(`semaphore set ${semid}`);
        ns.run(['ipcrm', '-s', String(semid)]);
      }
      expect(lockColumn(ns)).toBeNull();
      ns.cli(['rm', String(id)]);
    }));

  test('a user with no access to the segment can neither reset nor remove its lock set', () =>
    withNamespace((ns) => {
      const id = String(Number(ns.cli(['create', '--key', '0x7002', '--size', '8', '--mode', '0600']).out));
      expect(ns.cli(['lock', id, '--', 'true']).status).toBe(0);
      const { semid, mode } = sets(ns)[0]!;
      expect(mode).toBe(0o600);
      const attack = `
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print(libc.semctl(${semid}, 0, 16, ctypes.c_int(0)), ctypes.get_errno(), libc.semctl(${semid}, 0, 0), ctypes.get_errno())`;
      expect(ns.run([...NOBODY, PYTHON, '-c', attack]).out).toBe('-1 13 -1 1\n'); // EACCES, EPERM
      expect(ns.cli(['lock', id, '--timeout', '1', '--', 'true']).status).toBe(0);
      ns.cli(['rm', id]);
    }));
});

describe('the lock: ownership and access follow the segment', () => {
  test("root locking nobody's segment first leaves the lock to nobody; readers may share, writers exclude", () =>
    withNamespace((ns) => {
      const id = ns.run([...NOBODY, BIN, 'create', '--key', '0x7003', '--size', '8', '--mode', '0644']).out.trim();
      expect(ns.cli(['lock', id, '--', 'true']).status).toBe(0); // root, first
      const set = sets(ns)[0]!;
      expect(set).toMatchObject({ uid: 65534, cuid: 0, mode: 0o666 });
      // the owner locks its own segment, both ways
      expect(ns.run([...NOBODY, BIN, 'lock', id, '--', 'true']).status).toBe(0);
      expect(ns.run([...NOBODY, BIN, 'lock', id, '--shared', '--', 'true']).status).toBe(0);
      // another user may read it: the shared lock, not the exclusive one
      expect(ns.run([...USER1000, BIN, 'lock', id, '--shared', '--', 'true']).status).toBe(0);
      const refused = ns.run([...USER1000, BIN, 'lock', id, '--', 'true']);
      expect(refused).toMatchObject({
        status: 1,
        stderr: `shmctl-ts: lock: id ${id}: the exclusive lock needs write permission on the segment; take the shared one (--shared) (EACCES)\n`,
      });
      // the owner opens it to writers: the lock follows at once
      expect(ns.run([...NOBODY, BIN, 'set', id, '--mode', '0666']).status).toBe(0);
      expect(ns.run([...USER1000, BIN, 'lock', id, '--', 'true']).status).toBe(0);
      // and closes it: others lose the lock with the segment
      expect(ns.run([...NOBODY, BIN, 'set', id, '--mode', '0600']).status).toBe(0);
      expect(sets(ns)[0]!.mode).toBe(0o600);
      expect(ns.run([...USER1000, BIN, 'lock', id, '--shared', '--', 'true']).status).toBe(1);
      expect(ns.run([...NOBODY, BIN, 'lock', id, '--', 'true']).status).toBe(0);
      // a new owner gets the lock too
      expect(ns.cli(['set', id, '--owner', '1000']).status).toBe(0);
      expect(sets(ns)[0]!.uid).toBe(1000);
      expect(ns.run([...USER1000, BIN, 'lock', id, '--', 'true']).status).toBe(0);
      ns.cli(['rm', id]);
      expect(sets(ns)).toEqual([]);
    }));

  test("a set left behind by a removed segment does not lock out the key's next user", () =>
    withNamespace((ns) => {
      const first = ns.cli(['create', '--key', '0x7004', '--size', '8']).out.trim();
      expect(ns.cli(['lock', first, '--', 'true']).status).toBe(0);
      ns.run(['ipcrm', '-M', '0x7004']); // not our rm: the lock set stays behind
      expect(sets(ns)).toHaveLength(1);
      const next = ns.run([...NOBODY, BIN, 'create', '--key', '0x7004', '--size', '8']).out.trim();
      expect(next).not.toBe(first);
      expect(ns.run([...NOBODY, BIN, 'lock', next, '--', 'true']).status).toBe(0);
      ns.cli(['rm', next]);
      ns.run(['ipcrm', '--all=sem']);
    }));

  test('only root, the owner or the creator makes a lock; a reader who finds none is told who can', () =>
    withNamespace((ns) => {
      const id = ns.cli(['create', '--key', '0x7005', '--size', '8', '--mode', '0644']).out.trim();
      const r = ns.run([...NOBODY, BIN, 'lock', id, '--shared', '--', 'true']);
      expect(r).toMatchObject({
        status: 1,
        stderr:
          `shmctl-ts: lock: id ${id}: has no lock yet, and only its owner (uid 0 (root)), its creator or root may make one ` +
          `(a lock made by anybody else would not be trusted); one of them can run: shmctl-ts lock ${id} -- true\n`,
      });
      expect(sets(ns)).toEqual([]);
      expect(ns.cli(['lock', id, '--', 'true']).status).toBe(0);
      expect(ns.run([...NOBODY, BIN, 'lock', id, '--shared', '--', 'true']).status).toBe(0);
      ns.cli(['rm', id]);
    }));
});

describe('the lock: never lost while its command runs', () => {
  test('kill -9 of the lock process: the command goes with the lock (System V)', () =>
    withNamespace(async (ns) => {
      const id = String(Number(ns.cli(['create', '--key', '0x7006', '--size', '8']).out));
      const holder = ns.start([BIN, 'lock', id, '--', 'sh', '-c', 'echo $$; sleep 30']);
      const out = lines(holder);
      await until(() => /^\d+\n/.test(out()), 'holder started');
      const commandPid = Number(out().trim());
      expect(lockColumn(ns)).toBe('exclusive');
      holder.kill('SIGKILL'); // what timeout -s KILL, the OOM killer or kill -9 $! do
      await exited(holder);
      // either the command is gone, or the lock is still held: never a free lock with the command running
      const alive = ns.run(['kill', '-0', String(commandPid)]).status === 0;
      const free = ns.cli(['lock', id, '--timeout', '0.3', '--', 'true']).status === 0;
      expect({ alive, free }).not.toEqual({ alive: true, free: true });
      expect(alive).toBe(false);
      ns.cli(['rm', id]);
    }));

  test('kill -9 of the lock process: a POSIX object stays locked until the last process of the command ends', () =>
    withNamespace(
      async (ns) => {
        ns.cli(['create', '/held', '--size', '8']);
        const holder = ns.start([BIN, 'lock', '/held', '--', 'sh', '-c', 'sleep 30 & echo $!; wait']);
        const out = lines(holder);
        await until(() => /^\d+\n/.test(out()), 'holder started');
        const sleeper = out().trim();
        holder.kill('SIGKILL');
        await exited(holder);
        // sleep inherited the locked descriptor, as under flock(1): the lock stays while it runs
        expect(ns.run(['kill', '-0', sleeper]).status).toBe(0);
        expect(ns.cli(['lock', '/held', '--timeout', '0.3', '--', 'true']).status).toBe(75);
        expect(ns.run(['flock', '-n', '/dev/shm/held', 'true']).status).toBe(1);
        ns.run(['kill', sleeper]);
        await until(() => ns.cli(['lock', '/held', '--timeout', '0.1', '--', 'true']).status === 0, 'lock free once sleep ends');
        ns.cli(['rm', '/held']);
      },
      true,
      { posix: true },
    ));

  test("the command's own status, signals and environment; 127 and 126 when it cannot run", () =>
    withNamespace((ns) => {
      const id = String(Number(ns.cli(['create', '--key', '0x7007', '--size', '8']).out));
      expect(ns.cli(['lock', id, '--', 'sh', '-c', 'exit 7']).status).toBe(7);
      expect(ns.cli(['lock', id, '--', 'sh', '-c', 'echo "$SHMCTL_TS_SHMID"']).out).toBe(`${id}\n`);
      // SIGPIPE is back at its default for the command (Node ignores it for itself)
      expect(ns.sh(`${BIN} lock ${id} -- yes | head -c 4; echo " \${PIPESTATUS[0]}"`).out).toBe('y\ny\n 141\n');
      expect(ns.cli(['lock', id, '--', 'no-such-command-x'])).toMatchObject({
        status: 127,
        stderr: 'shmctl-ts: lock: cannot run no-such-command-x: command not found\n',
      });
      expect(ns.cli(['lock', id, '--', '/etc/passwd']).status).toBe(126);
      expect(ns.cli(['lock', id, '--timeout', '1', '--', 'true']).status).toBe(0); // released after the failures
      ns.cli(['rm', id]);
    }));
});

describe('honest endings', () => {
  test("rm of the segment while its lock is held: the command's status stands", () =>
    withNamespace(async (ns) => {
      const id = String(Number(ns.cli(['create', '--key', '0x7008', '--size', '8']).out));
      expect(ns.cli(['lock', id, '--', BIN, 'rm', id])).toMatchObject({ status: 0, stderr: '' });
      // write --lock holds the lock while it waits for its input; the segment (and its lock) go meanwhile
      const again = String(Number(ns.cli(['create', '--key', '0x7009', '--size', '8']).out));
      const writer = spawn('nsenter', ['--target', String(ns.pid), '--ipc', '--', BIN, 'write', again, '--lock'], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let writerErr = '';
      writer.stderr!.on('data', (d) => (writerErr += d));
      await until(() => lockColumn(ns) === 'exclusive', 'the writer holding the lock');
      expect(ns.cli(['rm', again])).toMatchObject({
        status: 0,
        stderr: `shmctl-ts: rm: id ${again}: still attached (1 attachment); marked dest, it goes at the last detach\n`,
      });
      writer.stdin!.end('x');
      expect(await exited(writer)).toBe(0);
      expect(writerErr).toBe('');
      expect(sets(ns)).toEqual([]);
    }));

  test('rm succeeds (0) when only the lock set may not be removed, says so once, and rm --all goes on', () =>
    withNamespace((ns) => {
      // nobody creates and gives the segment to 1000; 1000 (its owner) makes the lock; nobody (its creator) removes it
      const id = ns.run([...NOBODY, BIN, 'create', '--key', '0x700a', '--size', '8', '--mode', '0600']).out.trim();
      expect(ns.run([...NOBODY, BIN, 'set', id, '--owner', '1000']).status).toBe(0);
      expect(ns.run([...USER1000, BIN, 'lock', id, '--', 'true']).status).toBe(0);
      const r = ns.run([...NOBODY, BIN, 'rm', id]);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(
        new RegExp(
          `^shmctl-ts: rm: id ${id}: removed, but its lock \\(semaphore key 0x[0-9a-f]{8}\\) was left: .*\\((EACCES|EPERM)\\)\\n$`,
        ),
      );
      expect(ns.segments()).toEqual([]);
      ns.run(['ipcrm', '--all=sem']);

      const a = ns.run([...NOBODY, BIN, 'create', '--key', '0x700b', '--size', '8']).out.trim();
      expect(ns.run([...NOBODY, BIN, 'set', a, '--owner', '1000']).status).toBe(0);
      expect(ns.run([...USER1000, BIN, 'lock', a, '--', 'true']).status).toBe(0);
      ns.run([...NOBODY, BIN, 'create', '--key', '0x700c', '--size', '8']);
      ns.cli(['create', '--key', '0x700d', '--size', '8']); // root's: nobody may not remove it
      const all = ns.run([...NOBODY, BIN, 'rm', '--all', '-v']);
      expect(all.status).toBe(0);
      expect(all.out.split('\n').filter(Boolean)).toHaveLength(2);
      expect(all.stderr.split('\n').filter(Boolean)).toEqual([
        expect.stringMatching(new RegExp(`^shmctl-ts: rm: id ${a}: removed, but its lock`)),
        'shmctl-ts: rm: left 1 segment this user may not remove',
      ]);
      expect(ns.segments().map((s) => s.key)).toEqual([0x700d]);
      ns.run(['ipcrm', '--all']);
    }));
});

describe('one Ctrl-C reaches a command once', () => {
  test("attach -- CMD on a terminal: the terminal's SIGINT is not sent again; a kill from elsewhere is passed on", () =>
    withNamespace(async (ns) => {
      const id = ns.cli(['create', '--key', '0x700e', '--size', '8']).out.trim();
      const log = ns.run(['mktemp']).out.trim();
      // python runs its handler once per signal delivered (ms apart): two SIGINTs would be two lines
      const py =
        `import signal, time; signal.signal(signal.SIGINT, lambda *a: open('${log}', 'a').write('INT\\n')); ` +
        `print('ready', flush=True); time.sleep(1.5); print('done', flush=True)`;
      // script(1) gives the command a terminal; a ^C typed into it is the terminal's SIGINT to the foreground group.
      // `exec`: script runs $SHELL -c, and a shell left waiting in the foreground group (dash) would die of the ^C itself.
      const tty = spawn(
        'nsenter',
        ['--target', String(ns.pid), '--ipc', '--', 'script', '-qec', `exec ${BIN} attach ${id} -q -- python3 -c "${py}"`, '/dev/null'],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      const out = lines(tty);
      await until(() => out().includes('ready'), 'command ready');
      tty.stdin!.write('\x03');
      await until(() => out().includes('done'), 'command done');
      tty.stdin!.end();
      expect(await exited(tty)).toBe(0);
      expect(ns.run(['cat', log]).out).toBe('INT\n');

      // without a terminal (a new session: none), a SIGINT sent to attach alone is passed on, once
      ns.run(['truncate', '-s', '0', log]);
      const piped = ns.start(['setsid', BIN, 'attach', id, '-q', '--', 'python3', '-c', py]);
      const pipedOut = lines(piped);
      await until(() => pipedOut().includes('ready'), 'command ready');
      piped.kill('SIGINT');
      expect(await exited(piped)).toBe(0);
      expect(ns.run(['cat', log]).out).toBe('INT\n');
      ns.run(['rm', '-f', log]);
      ns.cli(['rm', id]);
    }));
});

/** Names another user can plant in /dev/shm: shell syntax, quotes, globs, a newline, bytes that are not UTF-8. */
const PLANTED: { file: string; typed: string; shown: string }[] = [
  { file: '$(touch${IFS}PWNED1)', typed: '/\\$', shown: '/$(touch${IFS}PWNED1)' },
  { file: '`touch PWNED2`', typed: '/\\`', shown: '/`touch PWNED2`' },
  { file: 'q\'uo"te', typed: '/q', shown: '/q\'uo"te' },
  { file: 'sp ace*', typed: '/sp', shown: '/sp ace*' },
  { file: 'nl\nx\xff', typed: '/nl', shown: '/nl\\x0ax\\xff' },
];

/** Plant them (as nobody) with the bytes they have; the last one is not UTF-8. */
function plant(ns: Namespace, dir: string): void {
  const py = `import os\nfor n in ${JSON.stringify(PLANTED.map((p) => p.file))}:\n  b = n.encode('utf-8', 'surrogateescape') if n != ${JSON.stringify(PLANTED[4]!.file)} else b'nl\\nx\\xff'\n  open(b'/dev/shm/' + b, 'wb').write(b'x')`;
  const r = ns.run([...NOBODY, PYTHON, '-c', py]);
  expect(r.stderr).toBe('');
  expect(ns.run(['ls', dir]).out).toBe('');
}

const HELPER = `${BIN.replace(/bin\/shmctl-ts$/, '')}test/helpers/type-in.zsh`;
const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

describe('completion never evaluates a name', () => {
  const shells: [string, string, string][] = [
    ['bash', 'bash --norc --noprofile -i', 'source <(shmctl-ts completion bash)'],
    ['zsh', 'zsh -f -i', 'source <(shmctl-ts completion zsh)'],
    ['fish', 'fish --no-config -i', 'shmctl-ts completion fish | source'],
  ];
  for (const [shell, start, setup] of shells) {
    (have('zsh') && have(shell) ? test : test.skip)(
      `${shell}: TAB on planted names offers them as literal text, and running the line runs nothing`,
      () =>
        withNamespace(
          (ns) => {
            const dir = ns.run(['mktemp', '-d']).out.trim();
            ns.run(['chmod', '755', dir]);
            plant(ns, dir);
            const bin = ns.run(['mktemp', '-d']).out.trim();
            ns.run(['ln', '-s', BIN, `${bin}/shmctl-ts`]);
            // each planted name: type the start of it, TAB (the shell's completion), Enter (the line runs)
            const keys = PLANTED.map((p) => `shmctl-ts stat ${p.typed}\t\n`).join('');
            const r = ns.run(['sh', '-c', `cd ${dir} && exec zsh -f ${HELPER} "$0" "$1" "$2"`, start, setup, keys], {
              env: { PATH: `${bin}:${process.env.PATH}`, HOME: bin, TERM: 'xterm' },
            });
            const screen = r.out.replace(/\x1b\[[0-9;?]*[a-zA-Z]|\x1b\][^\x07]*\x07|\r/g, '');
            for (const p of PLANTED) expect(screen).toContain(`name:      ${p.shown}\n`);
            expect(ns.run(['ls', '-A', dir]).out).toBe('');
            ns.run(['rm', '-rf', dir, bin]);
            ns.run(['sh', '-c', 'rm -f /dev/shm/*']);
          },
          true,
          { posix: true },
        ),
    );
  }
});

describe('hostile names and objects', () => {
  test('names that are not UTF-8 or hold control characters are listed escaped, never raw, and reachable by that form', () =>
    withNamespace(
      (ns) => {
        ns.run([PYTHON, '-c', "open(b'/dev/shm/t\\x1b]0;owned\\x07\\x1b[2J\\xffx', 'wb').write(b'secret')"]);
        const shown = '/t\\x1b]0;owned\\x07\\x1b[2J\\xffx';
        for (const args of [
          ['ls', '--posix'],
          ['ls', '--all'],
          ['ls', '--posix', '--json'],
          ['ls', '--posix', '--raw'],
          ['stat', shown],
        ]) {
          const r = ns.cli(args);
          expect(r.status).toBe(0);
          expect(r.out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
        }
        // (lsipc's formats show names without the slash, as lsipc -M)
        expect(ns.cli(['ls', '--posix', '--noheadings', '-o', 'NAME']).out).toBe(`${shown.slice(1)}\n`);
        expect(ns.cli(['ls', '--posix', '--raw', '--noheadings', '-o', 'NAME']).out).toBe(`${shown.slice(1)}\n`);
        expect(JSON.parse(ns.cli(['ls', '--posix', '--json']).out)['posix-sharedmemory'][0].name).toBe(shown.slice(1));
        expect(ns.cli(['ls', '--all', '--noheadings', '-o', 'NAME']).out).toBe(`${shown}\n`);
        // on a terminal too: nothing but our own colours
        const tty = ns.run(['script', '-qec', `${BIN} ls --posix; ${BIN} stat '${shown}'`, '/dev/null'], { env: { NO_COLOR: '1' } });
        expect(tty.out).not.toMatch(/\x1b/);
        expect(tty.out).toContain(shown);
        expect(ns.cli(['read', shown]).out).toBe('secret');
        // errors name it escaped as well
        const missing = ns.cli(['read', '/gone\x1b[2J']);
        expect(missing).toMatchObject({
          status: 1,
          stderr: 'shmctl-ts: read: /gone\\x1b[2J: no such POSIX shared memory object (ENOENT)\n',
        });
        expect(ns.cli(['rm', shown]).status).toBe(0);
        expect(ns.objects()).toEqual([]);
      },
      true,
      { posix: true },
    ));

  test('a command line with escapes is shown escaped in every view', () =>
    withNamespace(async (ns) => {
      const holder = await pythonCreator(ns, 0x7010, '\x1b]0;owned\x07\x1b[2J');
      for (const args of [
        ['ls', '-o', 'KEY,COMMAND'],
        ['ls', '--all', '-o', 'TYPE,COMMAND'],
        ['ls', '--json'],
      ]) {
        const out = ns.cli(args).out;
        // JSON carries the text itself, with JSON's escapes; the other views util-linux's \xHH
        expect(out).toContain(args[1] === '--json' ? '\\u001b]0;owned\\u0007\\u001b[2J' : '\\x1b]0;owned\\x07\\x1b[2J');
        expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      }
      const tty = ns.run(['script', '-qec', `${BIN} ls -o KEY,COMMAND`, '/dev/null'], { env: { NO_COLOR: '1' } });
      expect(tty.out).not.toMatch(/\x1b/);
      holder.kill('SIGKILL');
      await exited(holder);
      ns.run(['ipcrm', '--all=shm']);
    }));

  test('a FIFO, a symbolic link or a directory in /dev/shm: every verb answers at once that it is no object', () =>
    withNamespace(
      (ns) => {
        ns.run(['mkfifo', '/dev/shm/fifo']);
        ns.run(['ln', '-s', '/etc/passwd', '/dev/shm/link']);
        ns.run(['mkdir', '/dev/shm/dir']);
        for (const name of ['/fifo', '/link', '/dir']) {
          for (const args of [
            ['read', name],
            ['write', name, '--data', 'x'],
            ['set', name, '--mode', '0600'],
            ['lock', name, '--', 'true'],
            ['attach', name, '--timeout', '0.1'],
            ['stat', name],
            ['rm', name],
            ['create', name, '--size', '1'],
          ]) {
            const r = ns.run(['timeout', '10', BIN, ...args]);
            expect([args, r.status]).toEqual([args, 1]);
            expect(r.stderr).toMatch(new RegExp(`^shmctl-ts: ${args[0]}: ${name}: (is not a shared memory object|exists already|.*not a)`));
            expect(r.stderr.split('\n')).toHaveLength(2);
          }
        }
        expect(ns.objects().sort()).toEqual(['dir', 'fifo', 'link']);
        ns.run(['rm', '-rf', '/dev/shm/fifo', '/dev/shm/link', '/dev/shm/dir']);
      },
      true,
      { posix: true },
    ));

  test('names of POSIX semaphores (sem.*) are refused, so nothing is made that ls would hide', () =>
    withNamespace(
      (ns) => {
        const r = ns.cli(['create', '/sem.x', '--size', '4']);
        expect(r).toMatchObject({
          status: 2,
          stderr:
            "shmctl-ts: create: invalid POSIX shared memory name '/sem.x': names beginning with 'sem.' are POSIX semaphores' (sem_open keeps them in /dev/shm)\n",
        });
        expect(ns.objects()).toEqual([]);
        expect(ns.cli(['create', '/semx', '--size', '4']).status).toBe(0);
        expect(ns.cli(['ls', '--posix', '--noheadings', '-o', 'NAME']).out).toBe('semx\n');
        ns.cli(['rm', '/semx']);
      },
      true,
      { posix: true },
    ));

  test("create of another user's segment or object says whose it is (and what differs); --excl refuses", () =>
    withNamespace(
      (ns) => {
        const id = ns.run([...NOBODY, BIN, 'create', '--key', '0x7011', '--size', '64']).out.trim();
        ns.run([...NOBODY, BIN, 'create', '/theirs', '--size', '64']);
        const seg = ns.cli(['create', '--key', '0x7011', '--size', '64']);
        expect(seg).toMatchObject({
          status: 0,
          out: `${id}\n`,
          stderr: `shmctl-ts: create: key 0x00007011: exists already (shmid ${id}) owned by nobody (uid 65534), not by you (use --excl to insist on a new segment)\n`,
        });
        const obj = ns.cli(['create', '/theirs', '--size', '32', '--mode', '0644']);
        expect(obj).toMatchObject({
          status: 0,
          stderr:
            'shmctl-ts: create: /theirs: exists already owned by nobody (uid 65534), not by you; with mode 0600, not the 0644 asked; ' +
            'its mode is unchanged; its size is 64 bytes, not the 32 asked (use --excl to insist on a new object)\n',
        });
        expect(ns.cli(['create', '/theirs', '--size', '64', '--excl']).status).toBe(1);
        // one's own, as asked: silent
        expect(ns.run([...NOBODY, BIN, 'create', '/theirs', '--size', '64']).stderr).toBe('');
        ns.cli(['rm', id, '/theirs']);
      },
      true,
      { posix: true },
    ));
});
