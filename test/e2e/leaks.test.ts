/**
 * Leaks and holders (holders, ls's HOLDERS column and filters, gc), on real
 * segments and objects held by real processes, in a private IPC, mount and PID
 * namespace: every process there is ours to read, and pids can be chosen
 * (ns_last_pid) to stage a creator's pid reused by a newer process. What we
 * say is checked against /proc itself (grep of maps, the fd links) and ipcs.
 */
import { BIN, NOBODY, PYTHON, until, withNamespace, type Namespace } from '../helpers/ns.js';
import type { ChildProcess } from 'node:child_process';

const inNs = { pid: true, posix: true };

/** Lines a started process prints, as they come. */
function lines(child: ChildProcess): () => string[] {
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  return () => text.split('\n').filter(Boolean);
}

/** Start `script` (python) in the namespace; resolves to its pid there once it printed it. */
async function python(ns: Namespace, script: string, ...argv: string[]): Promise<number> {
  const child = ns.start([
    PYTHON,
    '-c',
    `import os, sys, time, ctypes, mmap\n${script}\nprint(os.getpid(), flush=True)\ntime.sleep(60)`,
    ...argv,
  ]);
  const out = lines(child);
  await until(() => out().length > 0, 'the python process');
  return Number(out()[0]);
}

/** Map an object with libc's mmap and close the descriptor: mapped, nothing open (Python's mmap keeps a dup). */
const mapOnly = (name: string): string =>
  `l = ctypes.CDLL(None); l.mmap.restype = ctypes.c_void_p; l.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]\n` +
  `fd = os.open('/dev/shm/${name}', os.O_RDWR); assert l.mmap(None, 4096, 3, 1, fd, 0) != 2**64 - 1; os.close(fd)`;

const attach = (id: number): string =>
  `l = ctypes.CDLL(None); l.shmat.restype = ctypes.c_void_p\nassert l.shmat(${id}, None, 0) != 2**64 - 1`;

interface Holder {
  pid: number;
  user: string;
  how: string[];
  since: string;
  command: string;
}

const holdersOf = (ns: Namespace, target: string): Holder[] => {
  const r = ns.cli(['holders', target, '--json']);
  expect(r.status).toBe(0);
  return (JSON.parse(r.out) as { holders: Holder[] }).holders;
};

/** The real /proc: which processes' maps have this text. */
const grepMaps = (ns: Namespace, text: string): number[] =>
  ns
    .sh(`grep -l -F -- '${text}' /proc/[0-9]*/maps 2>/dev/null | cut -d/ -f3`)
    .out.split('\n')
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);

describe('what cannot be seen at first is never "nothing holds it"', () => {
  test('a process whose main thread has exited (its other threads run) holds what it maps, attaches and opens; its creation is alive', () =>
    withNamespace(
      async (ns) => {
        ns.run(['sh', '-c', 'head -c 4096 /dev/zero > /dev/shm/threaded']);
        // the main thread alone exits (exit(2), not exit_group): /proc/PID/maps and fd are then empty
        const pid = await python(
          ns,
          `l = ctypes.CDLL(None); l.shmat.restype = ctypes.c_void_p\n` +
            `sid = l.shmget(0x7301, 4096, 0o1600); assert l.shmat(sid, None, 0) != 2**64 - 1\n` +
            `fd = os.open('/dev/shm/threaded', os.O_RDWR); m = mmap.mmap(fd, 4096)\n` +
            `import threading; threading.Thread(target=lambda: time.sleep(60)).start()\n` +
            `print(os.getpid(), flush=True); l.syscall(60 if os.uname().machine == 'x86_64' else 93, 0)`,
        );
        await until(
          () => ns.run(['cat', `/proc/${pid}/maps`]).out === '' && /\) Z /.test(ns.run(['cat', `/proc/${pid}/stat`]).out),
          'the main thread gone',
        );
        expect(holdersOf(ns, '/threaded').map((h) => [h.pid, h.how])).toEqual([[pid, ['mapped', 'fd']]]);
        expect(holdersOf(ns, '--key=0x7301').map((h) => [h.pid, h.how])).toEqual([[pid, ['attached']]]);
        // gc keeps both; --creator-dead does not call the running creator dead
        ns.cli(['gc', '--min-age', '0', '--all', '--unattached', '--yes', '--ignore-unreadable']);
        expect(ns.objects()).toEqual(['threaded']);
        expect(ns.cli(['ls', '--creator-dead', '--key', '0x7301', '-o', 'KEY', '--noheadings'])).toMatchObject({ status: 0, out: '' });
        ns.run(['kill', '-9', String(pid)]);
        await until(() => ns.run(['test', '-e', `/proc/${pid}`]).status !== 0, 'the python process gone');
        ns.run(['rm', '/dev/shm/threaded']);
        ns.run(['ipcrm', '--all']);
      },
      true,
      inNs,
    ));

  test('an object open through a bind mount of the same tmpfs is held (descriptors matched by device and inode, not path)', () =>
    withNamespace(
      async (ns) => {
        const bound = ns.run(['mktemp', '-d']).out.trim();
        ns.sh(`head -c 4096 /dev/zero > /dev/shm/sandboxed && mount --bind /dev/shm ${bound}`);
        const pid = await python(ns, `fd = os.open('${bound}/sandboxed', os.O_RDWR)`);
        expect(holdersOf(ns, '/sandboxed').map((h) => [h.pid, h.how])).toEqual([[pid, ['fd']]]);
        ns.cli(['gc', '--min-age', '0', '--posix', '--unattached', '--yes', '--ignore-unreadable']);
        expect(ns.objects()).toEqual(['sandboxed']);
        ns.run(['kill', '-9', String(pid)]);
        await until(() => ns.run(['test', '-e', `/proc/${pid}`]).status !== 0, 'the python process gone');
        ns.run(['umount', bound]);
        ns.run(['rm', '-r', bound, '/dev/shm/sandboxed']);
      },
      true,
      inNs,
    ));

  test('an attachment split in two by mprotect is two, as nattch counts it: no mismatch is said', () =>
    withNamespace(
      async (ns) => {
        const id = Number(ns.cli(['create', '--key', '0x7601', '--size', '8192']).out);
        const pid = await python(
          ns,
          `l = ctypes.CDLL(None); l.shmat.restype = ctypes.c_void_p; a = l.shmat(${id}, None, 0); assert a != 2**64 - 1\n` +
            `assert l.mprotect(ctypes.c_void_p(a + 4096), 4096, 1) == 0`,
        );
        expect(ns.segments()[0]!.nattch).toBe(2);
        const r = ns.cli(['holders', String(id), '-o', 'PID,ATTACHMENTS', '--noheadings']);
        expect(r).toMatchObject({ status: 0, stderr: '' });
        expect(r.out.trim().split(/ +/)).toEqual([String(pid), '2']);
        ns.run(['kill', '-9', String(pid)]);
        await until(() => ns.run(['test', '-e', `/proc/${pid}`]).status !== 0, 'the python process gone');
        ns.run(['ipcrm', '--all']);
      },
      true,
      inNs,
    ));

  test('a /proc of another PID namespace: creators are not judged, objects are kept, and both say why', () =>
    withNamespace(
      async (ns) => {
        // a segment whose creator has exited, and an object nothing holds
        ns.run([PYTHON, '-c', 'import ctypes; ctypes.CDLL(None).shmget(0x7701, 4096, 0o1600)']);
        ns.cli(['create', '/unseen', '--size', '4096']);
        expect(ns.cli(['ls', '--creator-dead', '-o', 'KEY', '--noheadings']).out).toBe('0x00007701\n');
        // the same commands in a new PID namespace that kept this /proc: its pids are not theirs
        const foreign = (args: string[]) => ns.run(['unshare', '--pid', '--fork', BIN, ...args]);
        expect(foreign(['ls', '--creator-dead', '-o', 'KEY', '--noheadings'])).toMatchObject({ status: 0, out: '' });
        const gc = foreign(['gc', '--posix', '--unattached', '--min-age', '0', '--yes']);
        expect(gc.out).toBe('');
        expect(gc.stderr).toMatch(
          /kept \/unseen: this \/proc belongs to another PID namespace than ours \(it names us \d+, we are 1\), and may have it open/,
        );
        expect(ns.objects()).toEqual(['unseen']);
        ns.run(['rm', '/dev/shm/unseen']);
        ns.run(['ipcrm', '--all']);
      },
      true,
      { posix: true },
    ));

  test("an object's flock held by a process this /proc does not show is not 'free': a non-blocking try tells its state", () =>
    withNamespace(
      async (ns) => {
        ns.cli(['create', '/held', '--size', '10']);
        // seen from a new PID namespace with its own /proc, the holders below are not in /proc/locks
        const unseen = (args: string[]) => ns.run(['unshare', '--pid', '--fork', '--mount-proc', BIN, ...args]);
        const lockOf = (): string => JSON.parse(unseen(['stat', '/held', '--json']).out)['posix-sharedmemory'][0].lock;
        const column = (): string => unseen(['ls', '--posix', '-o', 'NAME,LOCK', '--noheadings']).out;
        expect([lockOf(), column()]).toEqual(['free', 'held free\n']);
        for (const [flag, state] of [
          ['LOCK_EX', 'exclusive'],
          ['LOCK_SH', 'shared'],
        ]) {
          const py = `import fcntl, os, time; fcntl.flock(os.open('/dev/shm/held', os.O_RDONLY), fcntl.${flag}); time.sleep(60)`;
          ns.start([PYTHON, '-c', py]);
          await until(() => ns.run(['cat', '/proc/locks']).out.includes('FLOCK'), 'the flock taken');
          expect(ns.cli(['ls', '--posix', '-o', 'NAME,LOCK', '--noheadings']).out).toBe(`held ${state}\n`);
          expect([lockOf(), column()]).toEqual([state, `held ${state}\n`]);
          expect(unseen(['stat', '/held']).out).toMatch(new RegExp(`\\n *lock: +${state}\\n`));
          ns.sh('pkill -f "fcntl[.]flock"');
          await until(() => !ns.run(['cat', '/proc/locks']).out.includes('FLOCK'), 'the flock gone');
        }
        // the tries took nothing: the lock is free for the next one at once
        expect(ns.cli(['lock', '/held', '--timeout', '0', '--', 'true']).status).toBe(0);
        ns.cli(['rm', '/held']);
      },
      true,
      inNs,
    ));

  test('a /proc mounted with hidepid: an ordinary user sees only its own processes, so its objects are kept, and why is said', () =>
    withNamespace(
      (ns) => {
        // a proc instance of our own, in this mount namespace only, that hides other users' processes
        expect(ns.run(['mount', '-t', 'proc', '-o', 'hidepid=2', 'proc', '/proc']).status).toBe(0);
        ns.cli(['create', '/mine', '--size', '4096']);
        ns.run(['chown', 'nobody', '/dev/shm/mine']);
        const gc = ns.run([...NOBODY, BIN, 'gc', '--posix', '--unattached', '--min-age', '0', '--yes']);
        expect(gc.out).toBe('');
        // (the kernel spells hidepid=2 as 'invisible' in the mount's options)
        expect(gc.stderr).toMatch(
          /kept \/mine: \/proc is mounted with hidepid=(2|invisible): other users' processes are not seen, and may have it open/,
        );
        expect(ns.objects()).toEqual(['mine']);
        ns.run(['rm', '/dev/shm/mine']);
      },
      true,
      { posix: true },
    ));

  test("a file named /SYSV<key> on another device, whose inode number is a segment's id, is not an attachment of it", () =>
    withNamespace(
      async (ns) => {
        const ids = ['0x7401', '0x7402', '0x7403'].map((k) => Number(ns.cli(['create', '--key', k, '--size', '4096']).out));
        const id = ids[2]!;
        // a tmpfs of our own: files until one has the segment's id as its inode number, named as the kernel names
        // a segment's file, mapped, then the mount detached (umount -l) so that maps shows it as "/SYSV0000…"
        const dir = ns.run(['mktemp', '-d']).out.trim();
        ns.run(['mount', '-t', 'tmpfs', 'fake', dir]);
        const pid = await python(
          ns,
          `n = 0\nwhile True:\n  p = '${dir}/f%d' % n; open(p, 'w').write('x' * 4096); n += 1\n  if os.stat(p).st_ino == ${id}: break\n` +
            `os.rename(p, '${dir}/SYSV%08x' % 0x7403); fd = os.open('${dir}/SYSV%08x' % 0x7403, os.O_RDWR); m = mmap.mmap(fd, 4096); os.close(fd)`,
        );
        ns.run(['umount', '-l', dir]);
        expect(ns.run(['grep', '-c', ` ${id} *\/SYSV00007403$`, `/proc/${pid}/maps`]).out).toBe('1\n');
        expect(holdersOf(ns, String(id))).toEqual([]);
        expect(ns.cli(['holders', String(id)]).stderr).toBe('');
        ns.run(['kill', '-9', String(pid)]);
        await until(() => ns.run(['test', '-e', `/proc/${pid}`]).status !== 0, 'the python process gone');
        ns.run(['rmdir', dir]);
        ns.run(['ipcrm', '--all']);
      },
      true,
      inNs,
    ));
});

describe('holders', () => {
  test('a segment attached by two processes, and after rm (dest); nattch agrees; command lines escaped', () =>
    withNamespace(
      async (ns) => {
        const id = Number(ns.cli(['create', '--key', '0x7101', '--size', '4096']).out);
        const first = await python(ns, attach(id), 'first');
        // a command line that would drive a terminal, and shell syntax: shown escaped, never obeyed
        const second = await python(ns, attach(id), '\x1b]0;owned\x07\n$(touch PWNED)');
        expect(ns.segments().find((s) => s.id === id)!.nattch).toBe(2);

        const hs = holdersOf(ns, String(id));
        expect(hs.map((h) => h.pid).sort((a, b) => a - b)).toEqual([first, second].sort((a, b) => a - b));
        expect(grepMaps(ns, `/SYSV00007101`)).toEqual([first, second].sort((a, b) => a - b));
        for (const h of hs) expect(h).toMatchObject({ user: 'root', how: ['attached'], since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
        expect(hs.find((h) => h.pid === first)!.command).toMatch(/ first$/);
        expect(hs.find((h) => h.pid === second)!.command).toContain('\x1b]0;owned\x07\n$(touch PWNED)'); // JSON carries the text

        const plain = ns.cli(['holders', '--key', '0x7101']);
        expect(plain.stderr).toBe(''); // every process read, nattch 2 = 2 attachments found
        expect(plain.out.split('\n')[0]).toMatch(/^ *PID USER +HOW +SINCE COMMAND$/);
        expect(plain.out).not.toContain('\x1b');
        expect(plain.out).toContain('\\x1b]0;owned\\x07\\x0a$(touch PWNED)');
        expect(ns.run(['ls', '/']).out).not.toContain('PWNED');

        // removed while attached: dest, key gone; still found by id
        expect(ns.cli(['rm', String(id)]).status).toBe(0);
        expect(ns.run(['ipcs', '-m']).out).toMatch(new RegExp(`^0x00000000 ${id} .* dest`, 'm'));
        expect(
          holdersOf(ns, String(id))
            .map((h) => h.pid)
            .sort((a, b) => a - b),
        ).toEqual([first, second].sort((a, b) => a - b));
        ns.run(['kill', String(first), String(second)]);
        await ns.until((s) => s.length === 0, 'the dest segment gone with its last detach');
      },
      true,
      inNs,
    ));

  test('POSIX objects: one mapped (descriptor closed), one only open, one nobody holds; ls -o +HOLDERS and --unattached', () =>
    withNamespace(
      async (ns) => {
        for (const [name, size] of [
          ['/mapped', '4096'],
          ['/open', '10'],
          ['/free', '10'],
        ] as const)
          ns.cli(['create', name, '--size', size]);
        const mapper = await python(ns, mapOnly('mapped'));
        const opener = await python(ns, "fd = os.open('/dev/shm/open', os.O_RDONLY)");
        expect(holdersOf(ns, '/mapped')).toEqual([expect.objectContaining({ pid: mapper, how: ['mapped'] })]);
        expect(grepMaps(ns, '/dev/shm/mapped')).toEqual([mapper]);
        expect(holdersOf(ns, '/open')).toEqual([expect.objectContaining({ pid: opener, how: ['fd'] })]);
        expect(ns.sh(`ls -l /proc/${opener}/fd | grep -c /dev/shm/open`).out.trim()).toBe('1');
        expect(holdersOf(ns, '/free')).toEqual([]);
        // (this test's own PID namespace is not the first: what is not seen may hold an object, and that is said)
        expect(ns.cli(['holders', '/free'])).toMatchObject({
          status: 0,
          out: 'PID USER HOW SINCE COMMAND\n',
          stderr:
            'shmctl-ts: holders: this PID namespace is not the first: processes of the ones around it are not seen: any of them may hold it too\n',
        });

        expect(ns.cli(['ls', '--all', '-o', 'NAME,NATTCH,HOLDERS']).out).toBe(
          'NAME    NATTCH HOLDERS\n/free        0       0\n/mapped      1       1\n/open        0       1\n',
        );
        expect(ns.cli(['ls', '--posix', '--unattached', '-o', 'NAME', '--noheadings']).out).toBe('free\n');
        // gc's dry run piped is ls's (lsipc -M's names); its JSON is gc's own, with the names every verb takes
        expect(ns.cli(['gc', '--posix', '--unattached', '--min-age', '0', '--ignore-unreadable', '-o', 'NAME', '--noheadings']).out).toBe(
          'free\n',
        );
        const gc = JSON.parse(ns.cli(['gc', '--posix', '--unattached', '--min-age', '0', '--ignore-unreadable', '--json']).out) as {
          gc: { name: string }[];
        };
        expect(gc.gc.map((r) => r.name)).toEqual(['/free']);
        expect(ns.cli(['ls', '--all', '--unattached', '--name', '[fm]*', '-o', 'NAME', '--noheadings']).out).toBe('/free\n');
        ns.run(['kill', String(mapper), String(opener)]);
        ns.cli(['rm', '/mapped', '/open', '/free']);
      },
      true,
      inNs,
    ));

  test('what cannot be read is counted and said: nobody looking at root-held memory', () =>
    withNamespace(
      async (ns) => {
        ns.cli(['create', '/shared', '--size', '4096', '--mode', '0644']);
        const id = Number(ns.cli(['create', '--key', '0x7103', '--size', '4096', '--mode', '0644']).out);
        const holder = await python(ns, `${attach(id)}\nfd = os.open('/dev/shm/shared', os.O_RDONLY)`);
        const r = ns.run([...NOBODY, BIN, 'holders', String(id)]);
        expect(r.status).toBe(0);
        expect(r.out).toBe('PID USER HOW SINCE COMMAND\n');
        const unreadable =
          /^shmctl-ts: holders: (\d+) process(?:es)? could not be read \(pids? [\d, …]+\): any of them may hold it too$/m.exec(r.stderr);
        expect(Number(unreadable?.[1])).toBeGreaterThanOrEqual(2); // the namespace's init and the holder, at least
        expect(r.stderr).toMatch(new RegExp(`id ${id}: nattch is 1 but 0 attachments found \\(\\d+ processes could not be read`));
        expect(ns.run([...NOBODY, BIN, 'ls', '--posix', '--unattached', '-o', 'NAME', '--noheadings']).stderr).toMatch(
          /^shmctl-ts: ls: this PID namespace is not the first: processes of the ones around it are not seen: an object listed as unattached may be open in one of them\nshmctl-ts: ls: \d+ processes could not be read .*: an object listed as unattached may be open in one of them\n$/,
        );
        ns.run(['kill', String(holder)]);
        ns.cli(['rm', '/shared', String(id)]);
      },
      true,
      inNs,
    ));
});

/** A segment made by a python process that then exits: its creator is dead. Returns [id, creator pid]. */
function orphan(ns: Namespace, key: number): [number, number] {
  const r = ns.run([PYTHON, '-c', `import ctypes, os; print(ctypes.CDLL(None).shmget(${key}, 4096, 0o1600), os.getpid())`]);
  const [id, pid] = r.out.trim().split(' ').map(Number);
  return [id!, pid!];
}

describe('gc', () => {
  test('gc fences what it removes before the last look (an object renamed aside, a segment at mode 0) and removes it behind the fence', () =>
    withNamespace(
      (ns) => {
        const id = Number(ns.cli(['create', '--key', '0x7710', '--size', '4096', '--mode', '0644']).out);
        ns.cli(['create', '/fenced', '--size', '10']);
        const file = ns.run(['mktemp']).out.trim();
        const trace = ['strace', '-f', '-qq', '-s', '256', '-e', 'trace=rename,renameat,renameat2,unlink,unlinkat,shmctl,openat'];
        const args = ['gc', '--all', '--unattached', '--min-age', '0', '--ignore-unreadable', '--yes'];
        expect(ns.run([...trace, '-e', 'signal=none', '-o', file, BIN, ...args])).toMatchObject({ status: 0, stderr: '' });
        const log = ns.run(['cat', file]).out.split('\n');
        ns.run(['rm', file]);
        const at = (re: RegExp): number => log.findIndex((l) => re.test(l));
        const aside = /"\/dev\/shm\/(\.shmctl-ts-removing-\d+-[0-9a-f]{12})"/;
        const renamed = at(new RegExp(`rename(at2?)?\\(.*"/dev/shm/fenced", .*${aside.source}`));
        const modeZero = at(new RegExp(`shmctl\\(${id}, IPC_SET, \\{shm_perm=\\{.*mode=0+\\}`));
        const fenced = Math.max(renamed, modeZero);
        const unlinked = at(new RegExp(`unlink(at)?\\(.*${aside.source}\\) = 0`));
        const removed = at(new RegExp(`shmctl\\(${id}, IPC_RMID`));
        expect(Math.min(renamed, modeZero)).toBeGreaterThan(0);
        // the last look reads every process's maps with both fences up, before either goes
        const looked = log.findIndex((l, i) => i > fenced && /openat\(.*"\/proc\/\d+\/maps"/.test(l));
        expect(looked).toBeGreaterThan(fenced);
        expect(Math.min(unlinked, removed)).toBeGreaterThan(looked);
        expect([ns.objects(), ns.segments()]).toEqual([[], []]);
      },
      true,
      inNs,
    ));

  test('the age guard: nothing younger than --min-age (default 5 minutes) goes, whatever the filters; each is said with its age', () =>
    withNamespace(
      (ns) => {
        // a producer's object and segment, closed before their consumer opens them (as stress-ng --shm does)
        ns.cli(['create', '/handed-over', '--size', '4096']);
        const id = ns.cli(['create', '--key', '0x7501', '--size', '4096']).out.trim();
        const r = ns.cli(['gc', '--all', '--unattached', '--yes']);
        expect(r).toMatchObject({ status: 0, out: '' });
        expect(r.stderr).toMatch(/^shmctl-ts: gc: kept \/handed-over: younger than --min-age 300s \(made, changed or used \d+s ago\)$/m);
        expect(r.stderr).toMatch(new RegExp(`^shmctl-ts: gc: kept id ${id} \\(key 0x00007501\\): younger than --min-age 300s`, 'm'));
        expect([ns.objects(), ns.segments().map((s) => s.id)]).toEqual([['handed-over'], [Number(id)]]);
        // a shorter guard, or none, lets them go
        expect(ns.cli(['gc', '--all', '--unattached', '--yes', '--min-age', '1h']).out).toBe('');
        // (in this test's PID namespace an object is also kept for the processes not seen: they are disregarded here)
        expect(ns.cli(['gc', '--all', '--unattached', '--yes', '--min-age', '0', '--ignore-unreadable']).out).toBe(
          `removing shared memory segment id \`${id}'\nremoving POSIX shared memory \`/handed-over'\n`,
        );
        expect([ns.objects(), ns.segments()]).toEqual([[], []]);
        expect(ns.cli(['gc', '--unattached', '--min-age', 'soon'])).toMatchObject({ status: 2 });
      },
      true,
      inNs,
    ));

  test('a dry run changes nothing; --yes removes orphans (creator dead, creator pid reused) and keeps what is held or alive', () =>
    withNamespace(
      async (ns) => {
        const [dead] = orphan(ns, 0x7201);
        const [reused, reusedPid] = orphan(ns, 0x7202);
        const attached = Number(ns.cli(['create', '--key', '0x7203', '--size', '4096']).out);
        const attacher = await python(ns, attach(attached));
        const alive = await python(ns, `print(ctypes.CDLL(None).shmget(0x7204, 4096, 0o1600))`);
        const aliveId = ns.segments().find((s) => s.key === 0x7204)!.id;
        const locked = Number(ns.cli(['create', '--key', '0x7205', '--size', '4096']).out);
        const lockHolder = ns.start([BIN, 'lock', String(locked), '--', 'sh', '-c', 'echo $$; exec sleep 60']);
        const held = lines(lockHolder);
        await until(() => held().length > 0, 'the lock held');
        // ctime has whole seconds: the newer process must start a full second after it
        await new Promise((r) => setTimeout(r, 2100));
        const sleeper = ns.start(['sh', '-c', `echo ${reusedPid - 1} > /proc/sys/kernel/ns_last_pid; sh -c 'echo $$; exec sleep 60'`]);
        const sleeperOut = lines(sleeper);
        await until(() => sleeperOut().length > 0, 'the process that reuses the pid');
        expect(Number(sleeperOut()[0])).toBe(reusedPid);
        expect(ns.cli(['ls', '-o', 'ID,CPID', '--noheadings', '--id', String(reused)]).out).toMatch(new RegExp(` ${reusedPid}\\n$`));

        const before = ns.segments();
        const ipcsBefore = ns.run(['ipcs', '-m']).out;
        const dry = ns.cli(['gc', '--min-age', '0', '--creator-dead', '-o', 'ID', '--noheadings']);
        expect(dry.status).toBe(0);
        expect(dry.out).toBe(`${dead}\n${reused}\n`);
        expect(dry.stderr.split('\n').filter(Boolean)).toEqual([
          expect.stringMatching(
            new RegExp(`^shmctl-ts: gc: kept id ${attached} \\(key 0x00007203\\): attached \\(nattch 1\\) by pid \\d+$`),
          ),
          `shmctl-ts: gc: kept id ${locked} (key 0x00007205): its lock is held (exclusive)`,
          'shmctl-ts: gc: dry run: would remove 2; run again with --yes to remove them',
        ]);
        const json = JSON.parse(ns.cli(['gc', '--min-age', '0', '--creator-dead', '--json']).out) as {
          gc: { id: number; action: string; reason: string | null }[];
        };
        expect(json.gc.map((g) => [g.id, g.action])).toEqual([
          [dead, 'would remove'],
          [reused, 'would remove'],
          [attached, 'kept'],
          [locked, 'kept'],
        ]);
        // nothing touched, not even a time or a pid
        expect(ns.segments()).toEqual(before);
        expect(ns.run(['ipcs', '-m']).out).toBe(ipcsBefore);

        // never everything by accident
        const bare = ns.cli(['gc', '--min-age', '0', '--yes']);
        expect(bare.status).toBe(2);
        expect(bare.stderr).toMatch(/^shmctl-ts: gc: say what to clean up: .*\(gc never removes everything\)\n$/);
        expect(ns.cli(['gc', '--min-age', '0', '--posix', '--creator-dead']).status).toBe(2);
        expect(ns.cli(['gc', '--min-age', '0', '--unattached', '--older-than', '1h']).stderr).toContain('dry run: nothing to remove');
        expect(ns.segments()).toEqual(before);

        const yes = ns.cli(['gc', '--min-age', '0', '--creator-dead', '--yes']);
        expect(yes).toMatchObject({
          status: 0,
          out: `removing shared memory segment id \`${dead}'\nremoving shared memory segment id \`${reused}'\n`,
        });
        expect(ns.segments().map((s) => s.id)).toEqual([attached, aliveId, locked]);
        // its creator alive, nothing attached: not an orphan by --creator-dead, but unattached
        expect(ns.cli(['ls', '--creator-dead', '-o', 'ID', '--noheadings']).out).toBe(`${attached}\n${locked}\n`);
        expect(ns.cli(['gc', '--min-age', '0', '--unattached', '--yes']).out).toBe(`removing shared memory segment id \`${aliveId}'\n`);
        ns.run(['kill', String(alive), String(attacher), held()[0]!, String(reusedPid)]);
        ns.run(['ipcrm', '--all']);
        await ns.until((s) => s.length === 0, 'the attached segments gone with their processes');
      },
      true,
      inNs,
    ));

  test('POSIX objects: an orphan goes, mapped and open ones stay; objects of other users are safe from a user who cannot see all', () =>
    withNamespace(
      async (ns) => {
        for (const name of ['/job-orphan', '/job-mapped', '/job-open', '/other']) ns.cli(['create', name, '--size', '4096']);
        const mapper = await python(ns, mapOnly('job-mapped'));
        const opener = await python(ns, "fd = os.open('/dev/shm/job-open', os.O_RDONLY)");
        // the dry run prints what ls prints of what it would remove
        // (processes outside this test's PID namespace are not seen: without --ignore-unreadable every object is kept)
        const hidden = ns.cli(['gc', '--min-age', '0', '--posix', '--name', '/job-*', '--yes']);
        expect(hidden.out).toBe('');
        expect(hidden.stderr).toContain(
          'kept /job-orphan: this PID namespace is not the first: processes of the ones around it are not seen, and may have it open (--ignore-unreadable to disregard them)',
        );
        expect(ns.cli(['gc', '--min-age', '0', '--posix', '--name', 'job-*', '--ignore-unreadable']).out).toBe(
          ns.cli(['ls', '--posix', '--name', 'job-orphan']).out,
        );
        const yes = ns.cli(['gc', '--min-age', '0', '--posix', '--name', '/job-*', '--yes', '--ignore-unreadable']);
        expect(yes.out).toBe("removing POSIX shared memory `/job-orphan'\n");
        expect(yes.stderr).toContain(`kept /job-mapped: mapped or open by pid ${mapper}`);
        expect(yes.stderr).toContain(`kept /job-open: mapped or open by pid ${opener}`);
        expect(ns.objects()).toEqual(['job-mapped', 'job-open', 'other']);

        // nobody cannot read root's processes: any of them could have nobody's object open
        ns.run(['chown', 'nobody', '/dev/shm/other']);
        const careful = ns.run([...NOBODY, BIN, 'gc', '--min-age', '0', '--posix', '--unattached', '--yes']);
        expect(careful.out).toBe('');
        expect(careful.stderr).toMatch(
          // (in this test's PID namespace the processes not seen come first; root's, unreadable to nobody, next)
          /kept \/other: this PID namespace is not the first: processes of the ones around it are not seen, and may have it open \(--ignore-unreadable to disregard them\)/,
        );
        expect(ns.objects()).toContain('other');
        const told = ns.run([...NOBODY, BIN, 'gc', '--min-age', '0', '--posix', '--owner', 'nobody', '--yes', '--ignore-unreadable']);
        expect(told.out).toBe("removing POSIX shared memory `/other'\n");
        ns.run(['kill', String(mapper), String(opener)]);
        ns.cli(['rm', '/job-mapped', '/job-open']);
      },
      true,
      inNs,
    ));
});
