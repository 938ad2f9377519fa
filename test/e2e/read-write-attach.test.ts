import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, NOBODY, PYTHON, withNamespace, type Namespace } from '../helpers/ns.js';
import { callsOf, parallelCopyMissing, traced } from '../helpers/strace.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shmctl-ts-rw-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function create(ns: Namespace, size: string, extra: string[] = []): number {
  const r = ns.cli(['create', '--private', '--size', size, ...extra]);
  expect(r.status).toBe(0);
  return Number(r.out);
}

/** The segment's bytes, read by a tool that is not ours. */
function contents(ns: Namespace, id: number): Buffer {
  // python reads it through shmat from libc, independent of our code
  const r = ns.run([
    'python3',
    '-c',
    'import ctypes,sys\n' +
      'libc=ctypes.CDLL(None,use_errno=True)\n' +
      'libc.shmat.restype=ctypes.c_void_p\n' +
      `a=libc.shmat(${id},None,0o10000)\n` +
      `n=int([l.split()[3] for l in open("/proc/sysvipc/shm") if l.split()[1]=="${id}"][0])\n` +
      'sys.stdout.buffer.write(ctypes.string_at(a,n))\n',
  ]);
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('write and read', () => {
  test('a multi-MiB payload round-trips through a file, stdin and stdout (sha256)', () =>
    withNamespace((ns) => {
      const payload = randomBytes(6 * 1024 * 1024 + 123);
      const file = join(dir, 'payload');
      writeFileSync(file, payload);
      const id = create(ns, '8M');
      expect(ns.cli(['write', String(id), '--file', file])).toMatchObject({ status: 0, stderr: '', out: '' });
      expect(sha(contents(ns, id).subarray(0, payload.length))).toBe(sha(payload));
      const back = ns.cli(['read', String(id), '--length', String(payload.length)]);
      expect(back.status).toBe(0);
      expect(sha(back.stdout)).toBe(sha(payload));
      // through a pipe, at an offset
      const piped = ns.sh(
        `cat ${file} | ${BIN} write ${id} --offset 1M && ${BIN} read ${id} --offset 1M --length ${payload.length} | sha256sum`,
      );
      expect(piped.status).toBe(0);
      expect(piped.out.split(' ')[0]).toBe(sha(payload));
      // stdin redirected from a file (known length)
      expect(ns.sh(`${BIN} write ${id} --offset 7 < ${file}`).status).toBe(0);
      expect(sha(contents(ns, id).subarray(7, 7 + payload.length))).toBe(sha(payload));
      expect(ns.cli(['rm', String(id)]).status).toBe(0);
    }));

  test('--data writes at an offset; read --format string stops at the first NUL', () =>
    withNamespace((ns) => {
      const id = create(ns, '64');
      expect(ns.cli(['write', String(id), '--data', 'hello, world']).status).toBe(0);
      expect(ns.cli(['write', String(id), '--offset', '7', '--data', 'there']).status).toBe(0);
      expect(ns.cli(['read', String(id), '--format', 'string']).out).toBe('hello, there\n');
      expect(ns.cli(['read', String(id), '--offset', '7', '--length', '3']).out).toBe('the');
      const raw = ns.cli(['read', String(id)]);
      expect(raw.stdout.length).toBe(64);
      expect(raw.stdout.subarray(12).equals(Buffer.alloc(52))).toBe(true);
      // by key too
      const k = ns.cli(['create', '--key', '0x99', '--size', '10']);
      expect(ns.cli(['write', '--key', '0x99', '--data', 'x']).status).toBe(0);
      expect(ns.cli(['read', '--key', '153', '--format', 'string']).out).toBe('x\n');
      ns.cli(['rm', String(id), k.out.trim()]);
    }));

  test('--format hex is hexdump -C of the same bytes, offsets included', () =>
    withNamespace((ns) => {
      const data = Buffer.concat([randomBytes(50), Buffer.alloc(200), Buffer.from('tail text')]);
      const file = join(dir, 'hex');
      writeFileSync(file, data);
      const id = create(ns, String(data.length));
      ns.cli(['write', String(id), '--file', file]);
      for (const [offset, length] of [
        [0, data.length],
        [3, 100],
        [17, 0],
        [64, 195],
      ] as const) {
        const ours = ns.cli(['read', String(id), '--format', 'hex', '--offset', String(offset), '--length', String(length)]);
        const theirs = ns.run(['hexdump', '-C', '-s', String(offset), '-n', String(length), file]);
        expect(ours.out).toBe(theirs.out);
      }
      ns.cli(['rm', String(id)]);
    }));

  test('writes that would pass the end are refused before anything is written', () =>
    withNamespace((ns) => {
      const id = create(ns, '4096');
      ns.cli(['write', String(id), '--data', 'keep me']);
      const before = sha(contents(ns, id));
      const file = join(dir, 'big');
      writeFileSync(file, randomBytes(5000));
      const cases: [string[], RegExp][] = [
        [['--data', '12345678', '--offset', '4090'], /offset 4090 \+ length 8 passes the end of the segment \(4096 bytes\)$/],
        [['--file', file], /offset 0 \+ length 5000 passes the end/],
        [['--data', 'x', '--offset', '4097'], /offset 4097 is past the end of the segment \(4096 bytes\)$/],
        [['--data', 'x', '--offset', '9007199254740993'], /invalid offset|too large/],
      ];
      for (const [args, pattern] of cases) {
        const r = ns.cli(['write', String(id), ...args]);
        expect(r.status).not.toBe(0);
        expect(r.stderr.trimEnd()).toMatch(pattern);
        expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      }
      expect(ns.cli(['write', String(id), '--file', dir]).stderr).toBe(`shmctl-ts: write: ${dir}: is a directory\n`);
      expect(ns.cli(['write', String(id), '--file', `${dir}/none`]).stderr).toBe(
        `shmctl-ts: write: ${dir}/none: no such file or directory (ENOENT)\n`,
      );
      expect(ns.cli(['write', String(id), '--data', 'x', '--file', file]).status).toBe(2);
      const redirected = ns.sh(`${BIN} write ${id} < ${file}`);
      expect(redirected.status).toBe(1);
      expect(redirected.stderr).toMatch(/passes the end/);
      expect(sha(contents(ns, id))).toBe(before);
      ns.cli(['rm', String(id)]);
    }));

  test('stdin of unknown length is streamed; too much of it stops at the end and says so', () =>
    withNamespace((ns) => {
      const id = create(ns, '1M');
      const r = ns.sh(`head -c 3000000 /dev/zero | tr '\\0' 'a' | ${BIN} write ${id}`);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `shmctl-ts: write: id ${id}: input is longer than the 1048576 bytes from offset 0 to the end of the segment (1048576 bytes); the first 1048576 bytes were written\n`,
      );
      const exact = ns.sh(`head -c 1048576 /dev/zero | ${BIN} write ${id} -v`);
      expect(exact.status).toBe(0);
      expect(exact.stderr).toBe(`shmctl-ts: write: note: id ${id}: wrote 1048576 bytes at offset 0\n`);
      ns.cli(['rm', String(id)]);
    }));

  test('reads are bounds-checked', () =>
    withNamespace((ns) => {
      const id = create(ns, '100');
      const r1 = ns.cli(['read', String(id), '--offset', '90', '--length', '11']);
      expect(r1.status).toBe(1);
      expect(r1.out).toBe('');
      expect(r1.stderr).toMatch(/offset 90 \+ length 11 passes the end of the segment \(100 bytes\)/);
      expect(ns.cli(['read', String(id), '--offset', '100']).out).toBe('');
      expect(ns.cli(['read', String(id), '--offset', '101']).status).toBe(1);
      expect(ns.cli(['read', String(id), '--length', '-1']).status).toBe(2);
      expect(ns.cli(['read', String(id), '--format', 'octal']).status).toBe(2);
      expect(ns.cli(['read', '424242']).stderr).toBe('shmctl-ts: read: id 424242: no such segment (EINVAL)\n');
      ns.cli(['rm', String(id)]);
    }));

  test('read into a closed pipe ends quietly', () =>
    withNamespace((ns) => {
      const id = create(ns, '64M');
      const r = ns.sh(`set -o pipefail; ${BIN} read ${id} | head -c 10 | wc -c`);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.out.trim()).toBe('10');
      ns.cli(['rm', String(id)]);
    }));

  test('a user without write permission is refused cleanly, and reads what the mode allows', () =>
    withNamespace((ns) => {
      const id = create(ns, '16', ['--mode', '0644']);
      ns.cli(['write', String(id), '--data', 'root data']);
      const asNobody = (args: string[]) => ns.run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', BIN, ...args]);
      const w = asNobody(['write', String(id), '--data', 'intruder']);
      expect(w.status).toBe(1);
      expect(w.stderr).toBe(`shmctl-ts: write: id ${id}: permission denied for read-write attach (EACCES)\n`);
      expect(asNobody(['read', String(id), '--format', 'string']).out).toBe('root data\n');
      const a = asNobody(['attach', String(id), '--timeout', '0']);
      expect(a.stderr).toMatch(/permission denied for read-write attach; try --readonly \(EACCES\)/);
      expect(asNobody(['attach', String(id), '--readonly', '-q', '--timeout', '0']).status).toBe(0);
      const rm = asNobody(['rm', String(id)]);
      expect(rm.stderr).toMatch(/permission denied: only its owner, its creator or a privileged user may remove it \(EPERM\)/);
      expect(ns.cli(['read', String(id), '--format', 'string']).out).toBe('root data\n');
      ns.cli(['rm', String(id)]);
    }));
});

describe('attach', () => {
  test('holds the segment attached until SIGTERM, then detaches', () =>
    withNamespace(async (ns) => {
      const id = create(ns, '4096');
      const child = ns.start([BIN, 'attach', String(id)]);
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      await ns.until((s) => s[0]!.nattch === 1 && err.includes('\n'), 'nattch 1 and the message');
      expect(err).toMatch(
        new RegExp(
          `^shmctl-ts: attach: note: id ${id}: attached read-write at 0x[0-9a-f]+ \\(4096 bytes\\), held until SIGINT/SIGTERM\\n$`,
        ),
      );
      const status = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      expect(await status).toBe(0);
      expect(ns.segments()[0]).toMatchObject({ nattch: 0 });
      expect(ns.segments()[0]!.dtime).toBeGreaterThan(0);
      ns.cli(['rm', String(id)]);
    }));

  test('--timeout ends the hold; --readonly attaches SHM_RDONLY', () =>
    withNamespace(async (ns) => {
      const id = create(ns, '4096');
      const started = Date.now();
      const r = ns.cli(['attach', String(id), '--timeout', '0.3', '--readonly']);
      expect(r.status).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(r.stderr).toMatch(/attached read-only/);
      ns.cli(['rm', String(id)]);
    }));

  test('-- CMD runs while attached and gives its exit status; a timeout stops it with 124', () =>
    withNamespace((ns) => {
      const id = create(ns, '4096');
      const r = ns.cli([
        'attach',
        String(id),
        '-q',
        '--',
        'sh',
        '-c',
        `awk '$2 == ${id} {print $7}' /proc/sysvipc/shm; echo $SHMCTL_TS_SHMID; exit 7`,
      ]);
      expect(r.status).toBe(7);
      expect(r.out).toBe(`1\n${id}\n`);
      expect(ns.cli(['attach', String(id), '-q', '--timeout', '0.2', '--', 'sleep', '10']).status).toBe(124);
      const missing = ns.cli(['attach', String(id), '-q', '--', 'no-such-command-here']);
      expect(missing.status).toBe(127);
      expect(missing.stderr).toBe('shmctl-ts: attach: cannot run no-such-command-here: command not found\n');
      expect(ns.segments()[0]!.nattch).toBe(0);
      ns.cli(['rm', String(id)]);
    }));

  test('a segment removed while held goes when the hold ends', () =>
    withNamespace(async (ns) => {
      const id = create(ns, '4096');
      const child = ns.start([BIN, 'attach', String(id), '-q']);
      await ns.until((s) => s[0]!.nattch === 1, 'nattch 1');
      ns.run(['ipcrm', '-m', String(id)]);
      const status = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      expect(await status).toBe(0);
      expect(ns.segments()).toEqual([]);
    }));
});

test("a large write into a fresh segment lands byte for byte, at an unaligned offset too: as root through the segment's own file, otherwise by process_vm_writev", () =>
  withNamespace((ns) => {
    const file = ns.run(['mktemp']).out.trim();
    ns.sh(`head -c 24M /dev/urandom > ${file}; chmod 644 ${file}`);
    const digest = (cmd: string): string => ns.sh(cmd).out.split(' ')[0]!;
    const want = digest(`sha256sum ${file}`);
    for (const as of [[], NOBODY]) {
      const id = ns.cli(['create', '--private', '--size', '32M', '--mode', '0666']).out.trim();
      // strace shows the way the bytes went: through the segment's file on two threads (root), or the attachment
      const calls = ['openat', 'sendfile', 'read', 'mmap', 'madvise', 'pread64', 'munmap', 'process_vm_writev'];
      const { result, log } = traced(ns, calls, ['write', id, '--file', file, '--offset', '4097'], as);
      expect(result).toMatchObject({ status: 0, stderr: '' });
      const opened = callsOf(log, 'openat', 'AT_FDCWD, "/proc/self/map_files/[0-9a-f]+-[0-9a-f]+", O_RDWR\\|O_CLOEXEC', '-?\\d+');
      expect(opened).toHaveLength(1);
      if (as.length === 0) {
        expect(opened[0]![2]).toMatch(/^\d+$/);
        expect(parallelCopyMissing(log, 4097, 24 << 20, 4 << 20)).toEqual([]);
      } else {
        // map_files needs CAP_SYS_ADMIN: refused, and the kernel copies through process_vm_writev (a MiB a call)
        expect(opened[0]![2]).toBe('-1');
        const copied = callsOf(log, 'process_vm_writev', '\\d+, .*', '\\d+');
        expect(copied.reduce((n, c) => n + Number(c[2]), 0)).toBe(24 << 20);
      }
      // read back by the kernel's own attach (Python), not by us
      const viaPython = digest(
        `${PYTHON} -c "import ctypes, sys; l = ctypes.CDLL(None); l.shmat.restype = ctypes.c_void_p; ` +
          `p = l.shmat(${id}, None, 0o10000); sys.stdout.buffer.write(ctypes.string_at(p + 4097, 24 << 20))" | sha256sum`,
      );
      expect(viaPython).toBe(want);
      // before and after: untouched
      expect(digest(`${BIN} read ${id} --length 4097 | sha256sum`)).toBe(digest('head -c 4097 /dev/zero | sha256sum'));
      expect(digest(`${BIN} read ${id} --offset ${4097 + (24 << 20)} | sha256sum`)).toBe(
        digest(`head -c ${(32 << 20) - 4097 - (24 << 20)} /dev/zero | sha256sum`),
      );
      ns.cli(['rm', id]);
    }
    ns.run(['rm', '-f', file]);
  }));

describe('segment copies through pipes and files go by the kernel, never through the attachment', () => {
  // strace shows which calls moved the bytes; the bytes are checked by sha256 against the source, and what was
  // written by Python's own shmat (contents). The segment is filled first: the copies meet existing pages.
  const calls = ['execve', 'openat', 'vmsplice', 'process_vm_readv', 'process_vm_writev', 'splice', 'sendfile', 'read', 'write'];
  const total = (log: string, call: string, args: string, pid?: string): number =>
    callsOf(log, call, args, '\\d+')
      .filter((c) => pid === undefined || c[1] === pid)
      .reduce((n, c) => n + Number(c[c.length - 1]), 0);
  /** The pid of the cat at the pipe's far end (its execve is in the log when traced with execve). */
  const catPid = (log: string): string => /^(\d+) +execve\("\/(?:usr\/)?bin\/cat"/m.exec(log)?.[1] ?? 'none';
  const OFFSET = 4097;
  const LENGTH = (6 << 20) + 123;

  for (const who of ['root', 'nobody'] as const)
    test(`as ${who}: read into a pipe and a file, --lock into a pipe, write from a pipe`, () =>
      withNamespace((ns) => {
        const as = who === 'root' ? [] : NOBODY;
        const file = ns.run(['mktemp']).out.trim();
        const out = ns.run(['mktemp']).out.trim();
        ns.sh(`head -c ${LENGTH} /dev/urandom > ${file}; chmod 644 ${file}; chmod 666 ${out}`);
        const want = ns.sh(`sha256sum < ${file}`).out.split(' ')[0];
        const id = ns.cli(['create', '--private', '--size', '8M', '--mode', '0666']).out.trim();
        expect(ns.sh(`head -c 8M /dev/zero | tr '\\0' x | ${BIN} write ${id}`).status).toBe(0);
        const range = ['--offset', String(OFFSET), '--length', String(LENGTH)];

        // write from a pipe: root splices into the segment's own file, nobody (no map_files) uses process_vm_writev
        const written = traced(ns, calls, ['write', id, '--offset', String(OFFSET)], [...as, 'sh', '-c', `cat ${file} | exec "$@"`, 'sh']);
        expect(written.result).toMatchObject({ status: 0, stderr: '' });
        if (who === 'root') expect(total(written.log, 'splice', '0, NULL, \\d+, \\[\\d+\\], \\d+, SPLICE_F_NONBLOCK')).toBe(LENGTH);
        else expect(total(written.log, 'process_vm_writev', '\\d+, .*')).toBe(LENGTH);
        const seg = contents(ns, Number(id));
        expect(sha(seg.subarray(OFFSET, OFFSET + LENGTH))).toBe(want);
        expect(seg.subarray(0, OFFSET).toString()).toBe('x'.repeat(OFFSET));
        expect(seg.subarray(OFFSET + LENGTH).toString()).toBe('x'.repeat((8 << 20) - OFFSET - LENGTH));

        // read into a pipe: the pages handed over by reference (vmsplice), nothing written through the attachment
        const intoPipe = [...as, 'bash', '-c', 'set -o pipefail; "$@" | cat', 'bash'];
        const piped = traced(ns, calls, ['read', id, ...range], intoPipe);
        expect(piped.result.status).toBe(0);
        expect(sha(piped.result.stdout)).toBe(want);
        expect(total(piped.log, 'vmsplice', '1, .*')).toBe(LENGTH);
        expect(callsOf(piped.log, 'write', '1, .*').filter((c) => c[1] !== catPid(piped.log))).toEqual([]);

        // --lock: the bytes copied while the lock is held (process_vm_readv, then write), never by reference
        expect(ns.cli(['read', id, '--lock', '--length', '1']).status).toBe(0); // the lock's set, made by its owner
        const locked = traced(ns, calls, ['read', id, ...range, '--lock'], intoPipe);
        expect(locked.result.status).toBe(0);
        expect(sha(locked.result.stdout)).toBe(want);
        expect(callsOf(locked.log, 'vmsplice', '.*')).toEqual([]);
        expect(total(locked.log, 'process_vm_readv', '\\d+, .*')).toBe(LENGTH);
        expect(total(locked.log, 'write', '1, .*') - total(locked.log, 'write', '1, .*', catPid(locked.log))).toBe(LENGTH);

        // into a file: root sendfile()s from the segment's own file (opened read-only), nobody uses process_vm_readv
        const filed = traced(ns, calls, ['read', id, ...range], [...as, 'sh', '-c', `exec "$@" 1<> ${out}`, 'sh']);
        expect(filed.result).toMatchObject({ status: 0, stderr: '' });
        if (who === 'root') {
          const opened = callsOf(
            filed.log,
            'openat',
            'AT_FDCWD, "/proc/self/map_files/[0-9a-f]+-[0-9a-f]+", O_RDONLY\\|O_CLOEXEC',
            '(\\d+)',
          );
          expect(opened).toHaveLength(1);
          expect(total(filed.log, 'sendfile', `1, ${opened[0]![2]}, \\[${OFFSET}\\] => \\[\\d+\\], \\d+`)).toBe(LENGTH);
        } else {
          expect(total(filed.log, 'process_vm_readv', '\\d+, .*')).toBe(LENGTH);
        }
        expect(ns.sh(`sha256sum < ${out}`).out.split(' ')[0]).toBe(want);
        ns.cli(['rm', id]);
        ns.run(['rm', '-f', file, out]);
      }));

  test('a POSIX object is written from a pipe by splice, byte for byte', () =>
    withNamespace(
      (ns) => {
        const file = ns.run(['mktemp']).out.trim();
        ns.sh(`head -c ${LENGTH} /dev/urandom > ${file}`);
        expect(ns.cli(['create', '/piped', '--size', '8M']).status).toBe(0);
        const { result, log } = traced(
          ns,
          calls,
          ['write', '/piped', '--offset', String(OFFSET)],
          ['sh', '-c', `cat ${file} | exec "$@"`, 'sh'],
        );
        expect(result).toMatchObject({ status: 0, stderr: '' });
        expect(total(log, 'splice', '0, NULL, \\d+, \\[\\d+\\], \\d+, SPLICE_F_NONBLOCK')).toBe(LENGTH);
        expect(ns.sh(`tail -c +${OFFSET + 1} /dev/shm/piped | head -c ${LENGTH} | cmp - ${file} && echo same`).out).toBe('same\n');
        ns.cli(['rm', '/piped']);
        ns.run(['rm', '-f', file]);
      },
      true,
      { posix: true },
    ));
});
