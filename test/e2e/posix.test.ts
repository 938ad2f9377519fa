/**
 * POSIX shared memory through the same verbs, on real objects in a private
 * IPC + mount namespace with its own tmpfs on /dev/shm (the host's is never
 * touched; each namespace is checked empty at the end). Independent tools
 * check what we did: ls/stat/cat on /dev/shm, Python's shared_memory,
 * flock(1), truncate(1), /proc/PID/maps.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, withNamespace, type Namespace, NOBODY, WAIT_FOR } from '../helpers/ns.js';
import { joined, parallelCopyMissing, straceTo, traced } from '../helpers/strace.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const posix = { posix: true };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shmctl-ts-posix-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** stat(1) of the object's file: the kernel's view, not ours. */
function fileStat(ns: Namespace, name: string): { size: number; perms: string; uid: number; links: number } {
  const r = ns.run(['stat', '-c', '%s %a %u %h', `/dev/shm/${name}`]);
  expect(r.status).toBe(0);
  const [size, perms, uid, links] = r.out.trim().split(' ');
  return { size: Number(size), perms: perms!, uid: Number(uid), links: Number(links) };
}

describe('POSIX objects: create, stat, ls, rm', () => {
  test('create makes /dev/shm/NAME with the exact size and mode, whatever the umask; prints the name', () =>
    withNamespace(
      (ns) => {
        const r = ns.sh(`umask 077; ${BIN} create /demo --size 1M --mode 0644`);
        expect(r).toMatchObject({ status: 0, out: '/demo\n', stderr: '' });
        expect(fileStat(ns, 'demo')).toEqual({ size: 1048576, perms: '644', uid: 0, links: 1 });
        // default mode 0600; --posix takes the name with or without its slash
        expect(ns.cli(['create', '--posix', 'second', '--size', '10']).out).toBe('/second\n');
        expect(fileStat(ns, 'second').perms).toBe('600');
        // an existing name is opened as it is (like shmget), with a warning when the mode differs
        const again = ns.cli(['create', '/demo', '--size', '4K', '--mode', '0600']);
        expect(again.status).toBe(0);
        expect(again.stderr).toMatch(/\/demo: exists already with mode 0644, not the 0600 asked; its mode is unchanged/);
        expect(fileStat(ns, 'demo')).toMatchObject({ size: 1048576, perms: '644' });
        // … but never grown or shrunk, and never with --excl
        expect(ns.cli(['create', '/demo', '--size', '2M']).stderr).toBe(
          'shmctl-ts: create: /demo: exists with size 1048576 < requested 2097152 (EINVAL)\n',
        );
        expect(ns.cli(['create', '/demo', '--size', '1M', '--excl'])).toMatchObject({
          status: 1,
          stderr: 'shmctl-ts: create: /demo: an object with this name already exists (EEXIST)\n',
        });
        expect(fileStat(ns, 'demo').size).toBe(1048576);
        expect(ns.cli(['rm', '/demo', '/second']).status).toBe(0);
      },
      true,
      posix,
    ));

  test('names are validated before anything is touched', () =>
    withNamespace(
      (ns) => {
        const cases: [string[], RegExp][] = [
          [['create', '/a/b', '--size', '1'], /invalid POSIX shared memory name '\/a\/b': no slash may follow the first$/m],
          [['create', '/', '--size', '1'], /invalid POSIX shared memory name '\/': nothing follows the slash$/m],
          [['create', '/..', '--size', '1'], /'\.\.' is not a name$/m],
          [['create', '/' + 'x'.repeat(256), '--size', '1'], /longer than 255 bytes after the slash$/m],
          [['create', 'demo', '--size', '1'], /'demo' is not a POSIX name: they begin with a slash/],
          [['create', '/demo', '--size', '0'], /size/],
          [['create', '/demo', '--size', '1', '--hugetlb'], /--hugetlb and --noreserve are for System V segments$/m],
          [['read', '/a/b'], /no slash may follow the first$/m],
          [['stat', '/x', '--format', 'ipcs'], /--format ipcs is for System V segments/],
          [['ls', '--posix', '--format', 'ipcs'], /--format ipcs is for System V segments/],
          [['ls', '--posix', '-p'], /ipcs's views of System V segments: not with --posix$/m],
          [['ls', '--posix', '-c', '-t'], /-c and -t cannot be combined for POSIX objects \(as lsipc -M\)$/m],
          [['ls', '--posix', '-o', 'NAME,SIZE'], /column SIZE does not apply to POSIX objects in lsipc's formats \(as lsipc -M\)$/m],
          [['ls', '--posix', '-g'], /-g shows System V's limits: not with --posix$/m],
          [['write', '/x', '--post', '--data', 'a'], /--post \(the hand-off\) needs System V semaphores/],
          [['set', '/x', '--lock-memory'], /--lock-memory and --unlock-memory are for System V segments/],
          [['stat', '/x', '--key', '5'], /name the segment once/],
        ];
        for (const [args, message] of cases) {
          const r = ns.cli(args);
          expect({ args, status: r.status, out: r.out }).toEqual({ args, status: 2, out: '' });
          expect(r.stderr).toMatch(message);
          expect(r.stderr.split('\n')).toHaveLength(2);
        }
        expect(ns.objects()).toEqual([]);
        // a name that is valid but absent: exit 1, the errno named
        expect(ns.cli(['stat', '/nothing'])).toMatchObject({
          status: 1,
          stderr: 'shmctl-ts: stat: /nothing: no such POSIX shared memory object (ENOENT)\n',
        });
        expect(ns.cli(['rm', '/nothing']).stderr).toBe('shmctl-ts: rm: /nothing: no such POSIX shared memory object (ENOENT)\n');
      },
      true,
      posix,
    ));

  test('stat and ls agree with stat(1), and see a Python shared_memory object and the process mapping it', () =>
    withNamespace(
      async (ns) => {
        // Python's multiprocessing.shared_memory: shm_open + ftruncate + mmap, held by a live process
        const py = ns.start([
          'python3',
          '-c',
          'from multiprocessing import shared_memory as s, resource_tracker as t\n' +
            'import sys, time\n' +
            'm = s.SharedMemory(name="pyshm", create=True, size=12345)\n' +
            't.unregister(m._name, "shared_memory")\n' +
            'm.buf[:5] = b"hello"\n' +
            'print("ready", flush=True)\n' +
            'time.sleep(60)\n',
        ]);
        await new Promise<void>((resolve) => py.stdout!.once('data', () => resolve()));
        const pid = Number(ns.run(['pgrep', '-f', 'pyshm']).out.trim().split('\n')[0]);
        const st = fileStat(ns, 'pyshm');
        const json = JSON.parse(ns.cli(['stat', '/pyshm', '--json']).out)['posix-sharedmemory'][0];
        expect(json).toMatchObject({ name: '/pyshm', size: st.size, mode: '0' + st.perms, uid: st.uid, nattch: 1, lock: 'free' });
        const detail = ns.cli(['stat', '/pyshm']).out;
        expect(detail).toMatch(new RegExp(`^mapped by: ${pid} \\(\\S*python3 -c from multiprocessing[^\n]*\\\\x0a`, 'm'));
        expect(detail).toMatch(/^path: +\/dev\/shm\/pyshm$/m);
        expect(ns.cli(['read', '/pyshm', '--length', '5']).out).toBe('hello');
        // ls --posix lists exactly what ls(1) sees, with the same default columns plain, raw and JSON
        ns.cli(['create', '/other', '--size', '3']);
        // (lsipc -M's view: names without the slash, in the directory's order, which ls -f shows)
        const listed = JSON.parse(ns.cli(['ls', '--posix', '--json']).out)['posix-sharedmemory'];
        const inOrder = ns
          .run(['ls', '-f', '/dev/shm'])
          .out.split('\n')
          .filter((n) => n && n !== '.' && n !== '..');
        expect(listed.map((o: { name: string }) => o.name)).toEqual(inOrder);
        expect(listed.find((o: { name: string }) => o.name === 'pyshm').size).toBe(12345);
        expect(ns.cli(['ls', '--posix', '--format', 'table', '-o', 'NAME,NATTCH']).out).toMatch(/│ \/pyshm +│ +1 │/);
        const plain = ns.cli(['ls', '--posix', '-o', '+HOLDERS', '-P']).out.split('\n');
        expect(plain[0]).toMatch(/^NAME +PERMS OWNER +SIZE +MTIME HOLDERS$/);
        expect(plain.find((l) => l.startsWith('other'))).toMatch(/^other +0600 +root +3B +\d\d:\d\d +0$/);
        expect(plain.find((l) => l.startsWith('pyshm'))).toMatch(/^pyshm +0600 +root +12.1K +\d\d:\d\d +1$/);
        // --all: both kinds in one view
        const id = Number(ns.cli(['create', '--key', '0x51', '--size', '100']).out);
        const all = ns.cli(['ls', '--all', '--raw', '-o', 'TYPE,KEY,ID,NAME,SIZE', '-b']).out;
        expect(all).toBe(`TYPE KEY ID NAME SIZE\nsysv 0x00000051 ${id}  100\nposix   /other 3\nposix   /pyshm 12345\n`);
        py.kill('SIGKILL');
        await new Promise((r) => py.once('exit', r));
        expect(ns.cli(['rm', '/pyshm', '/other', String(id), '-v']).out).toBe(
          "removing POSIX shared memory `/pyshm'\nremoving POSIX shared memory `/other'\n" + `removing shared memory segment id \`${id}'\n`,
        );
      },
      true,
      posix,
    ));
});

describe('POSIX objects: read and write', () => {
  test('payloads round-trip through a file, a pipe and stdout, checked with cat /dev/shm/NAME (sha256)', () =>
    withNamespace(
      (ns) => {
        const payload = randomBytes(3 * 1024 * 1024 + 77);
        const file = join(dir, 'payload');
        writeFileSync(file, payload);
        ns.cli(['create', '/rt', '--size', '4M']);
        expect(ns.cli(['write', '/rt', '--file', file, '-v']).stderr).toBe(
          `shmctl-ts: write: note: /rt: wrote ${payload.length} bytes at offset 0\n`,
        );
        expect(sha(ns.run(['head', '-c', String(payload.length), '/dev/shm/rt']).stdout)).toBe(sha(payload));
        expect(sha(ns.cli(['read', '/rt', '--length', String(payload.length)]).stdout)).toBe(sha(payload));
        const piped = ns.sh(
          `cat ${file} | ${BIN} write --posix rt --offset 1000 && ${BIN} read /rt --offset 1000 --length ${payload.length} | sha256sum`,
        );
        expect(piped.out.split(' ')[0]).toBe(sha(payload));
        // the whole object by default, and the hex and string formats
        expect(ns.cli(['read', '/rt']).stdout.length).toBe(4 * 1024 * 1024);
        ns.cli(['write', '/rt'], { input: 'text\0more' });
        expect(ns.cli(['read', '/rt', '--format', 'string']).out).toBe('text\n');
        expect(ns.cli(['read', '/rt', '--format', 'hex', '--length', '9']).out).toBe(ns.sh('head -c 9 /dev/shm/rt | hexdump -C').out);
        ns.cli(['rm', '/rt']);
      },
      true,
      posix,
    ));

  test('a large write from a file goes on two threads (the tail through a mapping of its own, gone after); to a character device a read hands the mapping to write(2)', () =>
    withNamespace(
      (ns) => {
        const file = join(dir, 'large');
        writeFileSync(file, randomBytes(24 << 20));
        ns.cli(['create', '/big', '--size', '32M']);
        const w = traced(ns, ['sendfile', 'mmap', 'madvise', 'pread64', 'munmap'], ['write', '/big', '--file', file, '--offset', '4097']);
        expect(w.result).toMatchObject({ status: 0, stderr: '' });
        expect(parallelCopyMissing(w.log, 4097, 24 << 20, 1 << 20)).toEqual([]);
        expect(sha(ns.run(['tail', '-c', `+${4097 + 1}`, '/dev/shm/big']).stdout.subarray(0, 24 << 20))).toBe(
          sha(ns.run(['cat', file]).stdout),
        );
        expect(ns.run(['head', '-c', '4097', '/dev/shm/big']).stdout.equals(Buffer.alloc(4097))).toBe(true);
        // to /dev/null: the object mapped read-only and given to write(2), 32 MiB at once
        const log = ns.run(['mktemp']).out.trim();
        const strace = straceTo(log, ['mmap', 'sendfile', 'write']);
        expect(ns.sh(`${strace.join(' ')} ${BIN} read /big --offset 5 > /dev/null`)).toMatchObject({ status: 0, stderr: '' });
        const calls = joined(ns.run(['cat', log]).out);
        const ro = /mmap\(NULL, 33554432, PROT_READ, MAP_SHARED, \d+, 0\) = (0x[0-9a-f]+)/.exec(calls);
        expect(ro).not.toBeNull();
        expect(calls).toMatch(/write\(1, ""\.\.\., 33554427\) += 33554427/);
        expect(calls).not.toMatch(/sendfile/);
        // to a terminal, byte for byte (the terminal in raw mode: no newline translation)
        ns.cli(['write', '/big', '--data', 'through-the-terminal']);
        const shown = ns.run(['script', '-qec', `stty raw -echo; ${BIN} read /big --length 20`, '/dev/null']);
        expect(shown.out).toBe('through-the-terminal');
        ns.run(['rm', '-f', log, file]);
        ns.cli(['rm', '/big']);
      },
      true,
      posix,
    ));

  test("the bounds are the object's size: refused before anything is written", () =>
    withNamespace(
      (ns) => {
        ns.cli(['create', '/b', '--size', '100']);
        const before = sha(ns.run(['cat', '/dev/shm/b']).stdout);
        const cases: [string[], string][] = [
          [['write', '/b', '--data', '12345678901', '--offset', '90'], 'offset 90 + length 11 passes the end of the object (100 bytes)'],
          [['write', '/b', '--data', 'x', '--offset', '101'], 'offset 101 is past the end of the object (100 bytes)'],
          [['read', '/b', '--offset', '50', '--length', '51'], 'offset 50 + length 51 passes the end of the object (100 bytes)'],
        ];
        for (const [args, reason] of cases) {
          expect(ns.cli(args)).toMatchObject({ status: 1, out: '', stderr: `shmctl-ts: ${args[0]}: /b: ${reason}\n` });
        }
        // a pipe longer than the room left: stops at the end and says so; the object does not grow
        const r = ns.sh(`head -c 150 /dev/zero | ${BIN} write /b --offset 10`);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/input is longer than the 90 bytes from offset 10 to the end of the object \(100 bytes\)/);
        expect(fileStat(ns, 'b').size).toBe(100);
        ns.cli(['write', '/b', '--data', 'x']);
        expect(sha(ns.run(['cat', '/dev/shm/b']).stdout)).not.toBe(before);
        ns.cli(['rm', '/b']);
      },
      true,
      posix,
    ));

  test('an object truncated by another process during a read or a write: an error, never SIGBUS, never regrown', () =>
    withNamespace(
      (ns) => {
        ns.cli(['create', '/t', '--size', '64M']);
        // the reader is held up by a slow pipe while truncate(1) shrinks the object
        // (states waited for, never times: the reader has filled the pipe before the truncation, the pipe is drained
        // only after it)
        const read = ns.sh(
          `${WAIT_FOR} t=$(mktemp -d); ${BIN} read /t 2>$t/err | (exists $t/go; cat >/dev/null) & ` +
            `written "shmctl-ts read /t" 65536; truncate -s 4096 /dev/shm/t; touch $t/go; wait; cat $t/err; rm -r $t; exit 0`,
        );
        expect(read.out).toMatch(
          /^shmctl-ts: read: \/t: shrank to 4096 bytes \(truncated by another process\) during the read; \d+ bytes were read\n$/,
        );
        // the same to a terminal (a character device: the mapping is handed to write(2)); the terminal's
        // reader holds it up until the object is truncated: the kernel's copy stops there, no SIGBUS
        ns.run(['truncate', '-s', '64M', '/dev/shm/t']);
        // (script(1) has passed 64 KiB of the terminal's output on before the truncation)
        const tty = ns.sh(
          `${WAIT_FOR} t=$(mktemp -d); script -qec "${BIN} read /t 2>$t/err; echo status \\$? >>$t/err" /dev/null | (exists $t/go; cat >/dev/null) & ` +
            `written "script -qec" 65536; truncate -s 4096 /dev/shm/t; touch $t/go; wait; cat $t/err; rm -r $t; exit 0`,
        );
        expect(tty.out).toMatch(
          /^shmctl-ts: read: \/t: shrank to 4096 bytes \(truncated by another process\) during the read; \d+ bytes were read\nstatus 1\n$/,
        );
        ns.run(['truncate', '-s', '64M', '/dev/shm/t']);
        const write = ns.sh(`(head -c 1M /dev/zero; sleep 0.7; head -c 10M /dev/zero) | ${BIN} write /t; echo "status $?"`, {});
        // nothing truncated it this time: a plain success
        expect(write.out).toBe('status 0\n');
        // the first MiB is in the object (its blocks are made) before the truncation, the rest comes after it
        ns.run(['truncate', '-s', '0', '/dev/shm/t']);
        ns.run(['truncate', '-s', '64M', '/dev/shm/t']);
        const shrunk = ns.sh(
          `${WAIT_FOR} t=$(mktemp -d); (head -c 1M /dev/zero; exists $t/go; head -c 10M /dev/zero) | ${BIN} write /t & ` +
            `allocated /dev/shm/t 2048; truncate -s 8192 /dev/shm/t; touch $t/go; wait $!; echo "status $?"; rm -r $t`,
        );
        expect(shrunk.out).toBe('status 1\n');
        expect(shrunk.stderr).toMatch(/\/t: shrank to 8192 bytes \(truncated by another process\) during the write/);
        expect(fileStat(ns, 't').size).toBe(8192);
        // a mapping that is only held (attach) survives a truncation too
        const held = ns.sh(
          `${WAIT_FOR} ${BIN} attach /t -q & a=$!; mapped /dev/shm/t; truncate -s 0 /dev/shm/t; kill -TERM $a; wait $a; echo "status $?"`,
        );
        expect(held.out).toBe('status 0\n');
        ns.cli(['rm', '/t']);
      },
      true,
      posix,
    ));

  test('permissions as an unprivileged user: honest EACCES/EPERM, nothing changed', () =>
    withNamespace(
      (ns) => {
        ns.cli(['create', '/private', '--size', '16']);
        ns.cli(['create', '/readable', '--size', '16', '--mode', '0644']);
        const as = (args: string[]) => ns.run([...NOBODY, BIN, ...args]);
        expect(as(['read', '/private'])).toMatchObject({
          status: 1,
          stderr: "shmctl-ts: read: /private: permission denied for read-only access (the object's mode does not grant it) (EACCES)\n",
        });
        expect(as(['read', '/readable']).status).toBe(0);
        expect(as(['write', '/readable', '--data', 'x']).stderr).toBe(
          "shmctl-ts: write: /readable: permission denied for read-write access (the object's mode does not grant it) (EACCES)\n",
        );
        expect(as(['attach', '/readable', '--timeout', '0'])).toMatchObject({ status: 1 });
        expect(as(['attach', '/readable', '--timeout', '0'])).toMatchObject({
          stderr: expect.stringMatching(/try --readonly \(EACCES\)$/m),
        });
        expect(as(['attach', '/readable', '--readonly', '--timeout', '0', '-q']).status).toBe(0);
        expect(as(['rm', '/readable']).stderr).toMatch(
          /^shmctl-ts: rm: \/readable: permission denied: only its owner or a privileged user may remove it \(\/dev\/shm is sticky\) \(EACCES\)$/m,
        );
        expect(as(['set', '/readable', '--mode', '0666']).stderr).toMatch(
          /permission denied: only its owner or a privileged user may change it \(EPERM\)/,
        );
        expect(fileStat(ns, 'readable').perms).toBe('644');
        // nobody's own object: theirs, mode 0600 by default
        expect(as(['create', '/mine', '--size', '1']).status).toBe(0);
        expect(fileStat(ns, 'mine')).toMatchObject({ uid: 65534, perms: '600' });
        expect(as(['rm', '/mine']).status).toBe(0);
        // root may change owner and mode
        expect(ns.cli(['set', '/readable', '--owner', 'nobody', '--mode', '0640']).status).toBe(0);
        expect(fileStat(ns, 'readable')).toMatchObject({ uid: 65534, perms: '640' });
        ns.cli(['rm', '/private', '/readable']);
      },
      true,
      posix,
    ));
});

describe('POSIX objects: attach and lock', () => {
  test('attach maps it (PROT_READ with --readonly), runs a command with SHMCTL_TS_NAME, and unmaps', () =>
    withNamespace(
      (ns) => {
        ns.cli(['create', '/m', '--size', '8K']);
        const r = ns.cli(['attach', '/m', '--readonly', '--', 'sh', '-c', 'echo "$SHMCTL_TS_NAME"; grep /dev/shm/m /proc/$PPID/maps']);
        expect(r.status).toBe(0);
        const [name, map] = r.out.split('\n');
        expect(name).toBe('/m');
        expect(map).toMatch(/^[0-9a-f]+-[0-9a-f]+ r--s 00000000 [0-9a-f:]+ \d+ +\/dev\/shm\/m$/);
        expect(r.stderr).toMatch(/^shmctl-ts: attach: note: \/m: mapped read-only at 0x[0-9a-f]+ \(8192 bytes\), held while sh runs$/m);
        expect(ns.cli(['attach', '/m', '--', 'sh', '-c', 'grep /dev/shm/m /proc/$PPID/maps']).out).toMatch(/ rw-s /);
        expect(ns.cli(['stat', '/m', '--field', 'nattch']).out).toBe('0\n');
        ns.cli(['rm', '/m']);
      },
      true,
      posix,
    ));

  test('lock is flock(2) on the object: excludes flock(1), times out with 75, dies with its holder', () =>
    withNamespace(
      async (ns) => {
        ns.cli(['create', '/l', '--size', '4K']);
        // the real flock(1) holding it keeps us out
        const busy = ns.sh(`flock /dev/shm/l -c '${BIN} lock /l --timeout 0.2 -- true; echo "status $?"'`);
        expect(busy.out).toBe('status 75\n');
        expect(busy.stderr).toMatch(/^shmctl-ts: lock: \/l: timed out after 0.2 s waiting for the exclusive lock \(held exclusive\)$/m);
        // ours keeps flock(1) out, and shows in ls
        const ours = ns.cli([
          'lock',
          '/l',
          '--',
          'sh',
          '-c',
          `flock -n /dev/shm/l true; echo "flock $?"; ${BIN} ls --posix -o NAME,LOCK --noheadings`,
        ]);
        expect(ours.out).toBe('flock 1\nl    exclusive\n');
        // shared locks coexist; an exclusive one waits for them
        const shared = ns.cli([
          'lock',
          '/l',
          '--shared',
          '--',
          'sh',
          '-c',
          `${BIN} lock /l --shared -- true && echo both; ${BIN} write /l --lock --timeout 0.2 --data x; echo "status $?"`,
        ]);
        expect(shared.out).toBe('both\nstatus 75\n');
        // a holder killed with SIGKILL: the kernel drops the lock at once
        const holder = ns.start([BIN, 'lock', '/l', '--', 'sleep', 'infinity']);
        for (let i = 0; i < 100 && !ns.cli(['ls', '--posix', '-o', 'LOCK', '--noheadings']).out.includes('exclusive'); i++) {
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(ns.cli(['read', '/l', '--lock', '--timeout', '0.1', '--length', '1']).status).toBe(75);
        // lock ran its command in its own place: the holder is the sleep now (nsenter, its parent, is only the way in)
        // (pid 1, this namespace's own first process, sleeps too)
        const sleeper = ns
          .run(['pgrep', '-f', '^sleep infinity$'])
          .out.trim()
          .split('\n')
          .filter((pid) => pid !== '1');
        expect(sleeper).toHaveLength(1);
        ns.run(['kill', '-KILL', ...sleeper]);
        await new Promise((r) => (holder.exitCode !== null || holder.signalCode !== null ? r(null) : holder.once('exit', r)));
        const started = Date.now();
        expect(ns.cli(['read', '/l', '--lock', '--timeout', '5', '--length', '1']).status).toBe(0);
        expect(Date.now() - started).toBeLessThan(4000);
        ns.cli(['rm', '/l']);
      },
      true,
      // pgrep, pkill and kill here see this namespace's processes only, never another test's
      { ...posix, pid: true },
    ));
});
