/**
 * The kinds seen only through their holders — memfds, tmpfs files removed
 * while held, shared anonymous memory — made by a real program (Python's
 * os.memfd_create, mmap, fork) in a private namespace (IPC, mount with its
 * own /dev/shm, PID: only the test's processes are seen); and `usage`'s
 * account of meminfo's Shmem, measured as deltas of known amounts.
 */
import type { ChildProcess } from 'node:child_process';
import { BIN, exited, NOBODY, PYTHON, ROOT, until, withNamespace, type Namespace } from '../helpers/ns.js';

/** What the holder program made, as it reports it (inodes from its own fstat). */
interface Made {
  pid: number;
  child: number;
  memfd: { fd: number; ino: number };
  quiet: { fd: number; ino: number };
  deleted: { ino: number };
  anon: { ino: number | null };
  decoy: { ino: number };
}

/** Start `script` (Python) in the namespace and wait for its one JSON line. */
async function holder(ns: Namespace, script: string, as: string[] = []): Promise<{ child: ChildProcess; made: Made }> {
  const child = ns.start([...as, PYTHON, '-c', script]);
  const made = await new Promise<Made>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) resolve(JSON.parse(line) as Made);
    });
    child.once('exit', (code) => reject(new Error(`the holder exited (${code}) before it was ready`)));
  });
  return { child, made };
}

const KINDS = `
import fcntl, json, mmap, os, sys, time
MiB = 1 << 20
n = int(sys.argv[1]) if len(sys.argv) > 1 else 3 * 4096
# a memfd with seals, mapped and open; another only open, made without sealing (so: sealed against seals)
fd = os.memfd_create("shmctl-test", os.MFD_ALLOW_SEALING)
os.write(fd, b"hello"); os.ftruncate(fd, 3 * 4096)
m1 = mmap.mmap(fd, 3 * 4096)
fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW)
quiet = os.memfd_create("quiet")
os.write(quiet, b"x" * 10000)
# a /dev/shm object, removed while mapped (its descriptor closed)
p = "/dev/shm/gone"
f = os.open(p, os.O_CREAT | os.O_RDWR, 0o600); os.ftruncate(f, 8192)
m2 = mmap.mmap(f, 8192); m2[0:1] = b"a"; deleted = os.fstat(f).st_ino
os.unlink(p); os.close(f)
# a file whose name ends in " (deleted)", still linked: not removed, not listed as such
d = os.open("/dev/shm/decoy (deleted)", os.O_CREAT | os.O_RDWR, 0o600); os.ftruncate(d, 4096)
m4 = mmap.mmap(d, 4096); decoy = os.fstat(d).st_ino
# shared anonymous memory, two pages touched, shared with a forked child
m3 = mmap.mmap(-1, 5 * 4096, flags=mmap.MAP_SHARED); m3[0:1] = b"z"; m3[4096:4097] = b"y"
child = os.fork()
if child == 0:
    time.sleep(1e9)
anon = None
for line in open("/proc/self/maps"):
    if line.rstrip().endswith("/dev/zero (deleted)") and " rw-s " in line:
        anon = int(line.split()[4])
print(json.dumps({"pid": os.getpid(), "child": child, "memfd": {"fd": fd, "ino": os.fstat(fd).st_ino},
  "quiet": {"fd": quiet, "ino": os.fstat(quiet).st_ino}, "deleted": {"ino": deleted}, "anon": {"ino": anon},
  "decoy": {"ino": decoy}}), flush=True)
time.sleep(1e9)
`;

interface Row {
  name: string | null;
  inode: number;
  size: number;
  alloc: number | null;
  seals?: string[] | null;
  holders: number;
  pids: string[];
  type?: string;
}
const rows = (ns: Namespace, kind: string, key = kind): Row[] => {
  const r = ns.cli(['ls', `--${kind}`, '--json', '-o', 'TYPE,NAME,INODE,SIZE,ALLOC,SEALS,HOLDERS,PIDS']);
  expect(r).toMatchObject({ status: 0, stderr: '' });
  return (JSON.parse(r.out) as Record<string, Row[]>)[key]!;
};

describe('memfds, removed files still held, shared anonymous memory', () => {
  test('each is listed once with its holders, held by PID:FD and inode:N, stat-ed and read; gc never touches them', () =>
    withNamespace(
      async (ns) => {
        const { made } = await holder(ns, KINDS);
        const both = [`${made.pid}`, `${made.child}`].sort();
        const pidsOf = (r: Row): string[] => r.pids.map((p) => p.replace(/×\d+$/, '')).sort();

        const memfds = rows(ns, 'memfd');
        const memfd = memfds.find((r) => r.inode === made.memfd.ino)!;
        // the memfd: once, though two processes hold it by descriptor and by mapping
        expect(memfds.filter((r) => r.inode === made.memfd.ino)).toHaveLength(1);
        expect(memfd).toMatchObject({ name: 'memfd:shmctl-test', size: 3 * 4096, alloc: 4096, seals: ['shrink', 'grow'], holders: 2 });
        expect(pidsOf(memfd)).toEqual(both);
        // held three times by each: its descriptor (inherited by the child), mmap's own duplicate of it, the mapping
        expect(memfd.pids.every((p) => /×3$/.test(p))).toBe(true);
        const quiet = memfds.find((r) => r.inode === made.quiet.ino)!;
        expect(quiet).toMatchObject({ name: 'memfd:quiet', size: 10000, alloc: 12288, seals: ['seal'], holders: 2 });

        const deleted = rows(ns, 'deleted');
        expect(deleted).toEqual([
          expect.objectContaining({ name: '/dev/shm/gone', inode: made.deleted.ino, size: 8192, alloc: 4096, holders: 2 }),
        ]);
        // a name that merely ends in " (deleted)" is an object, and no removed file
        expect(deleted.some((r) => r.inode === made.decoy.ino)).toBe(false);
        expect(ns.objects()).toEqual(['decoy (deleted)']);

        const anon = rows(ns, 'anon');
        expect(anon).toEqual([
          expect.objectContaining({ name: '[shared anonymous]', inode: made.anon.ino, size: 5 * 4096, alloc: 8192, holders: 2 }),
        ]);
        expect(pidsOf(anon[0]!)).toEqual(both);

        // --held: the three kinds in one view; --every adds segments and objects
        expect(
          rows(ns, 'held')
            .map((r) => r.type)
            .sort(),
        ).toEqual(['anon', 'deleted', 'memfd', 'memfd']);
        const every = ns.cli(['ls', '--every', '--json', '-o', 'TYPE,NAME']);
        expect(
          JSON.parse(every.out)
            .sharedmemory.map((r: { type: string }) => r.type)
            .sort(),
        ).toEqual(['anon', 'deleted', 'memfd', 'memfd', 'posix']);
        // -A keeps meaning segments and objects
        expect(ns.cli(['ls', '--all', '-o', 'TYPE', '--noheadings', '--format', 'raw']).out).toBe('posix\n');

        // holders by a holder's descriptor and by inode: the same processes
        const byFd = ns.cli(['holders', `${made.pid}:${made.memfd.fd}`, '--format', 'raw', '-o', 'PID,HOW', '--noheadings']);
        // (processes of the PID namespaces around this one are not seen: said, as for any object)
        expect(byFd).toMatchObject({
          status: 0,
          stderr: expect.stringMatching(/^shmctl-ts: holders: this PID namespace is not the first.*may hold it too\n$/),
        });
        expect(byFd.out).toBe(`${made.pid} mapped,fd\n${made.child} mapped,fd\n`);
        const byInode = ns.cli(['holders', `inode:${made.anon.ino}`, '--format', 'raw', '-o', 'PID,HOW', '--noheadings']);
        expect(byInode.out).toBe(`${made.pid} mapped\n${made.child} mapped\n`);

        // stat: its fields; read: its bytes, through the holder's descriptor (or its mapping, for the removed file)
        const stat = ns.cli(['stat', `${made.pid}:${made.memfd.fd}`]);
        expect(stat.out).toMatch(/^kind: +memfd$/m);
        expect(stat.out).toMatch(/^seals: +shrink, grow$/m);
        expect(stat.out).toContain(`held by:`);
        expect(ns.cli(['stat', `inode:${made.memfd.ino}`, '--field', 'seals', '--field', 'size']).out).toBe('shrink,grow\n12288\n');
        expect(ns.cli(['read', `${made.pid}:${made.memfd.fd}`, '--length', '5']).out).toBe('hello');
        expect(ns.cli(['read', `inode:${made.deleted.ino}`, '--length', '1']).out).toBe('a');
        expect(ns.cli(['read', `inode:${made.anon.ino}`, '--offset', '4096', '--length', '1']).out).toBe('y');

        // gc lists them, with what ending their holders would free, and leaves them be, --yes or not
        const gc = ns.cli(['gc', '--held', '--owner', 'root', '--min-age', '0', '--yes']);
        expect(gc.status).toBe(0);
        expect(gc.stderr).toContain(`kept memfd:shmctl-test (inode ${made.memfd.ino}): a memfd has no name to remove`);
        expect(gc.stderr).toMatch(/ending pids \d+, \d+ would free it \(4096 bytes\)/);
        expect(ns.cli(['read', `${made.pid}:${made.memfd.fd}`, '--length', '5']).out).toBe('hello');
        expect(rows(ns, 'held')).toHaveLength(4);

        // metrics count them by kind
        const metrics = ns.cli(['metrics', '--held']).out;
        expect(metrics).toMatch(/^shmctl_objects\{kind="memfd",owner="root"\} 2$/m);
        expect(metrics).toMatch(/^shmctl_allocated_bytes\{owner="root"\} 28672$/m);
        ns.run(['rm', '/dev/shm/decoy (deleted)']);
      },
      true,
      { posix: true, pid: true },
    ));

  test('a descriptor its holder swaps for another file between the look and the read is refused, not read', () =>
    withNamespace(
      async (ns) => {
        // on SIGUSR1 the holder puts another memfd in place of the first one's descriptor
        const { made } = await holder(
          ns,
          'import json, os, signal, time\nfd = os.memfd_create("first"); os.write(fd, b"first")\n' +
            'other = os.memfd_create("second"); os.write(other, b"second")\n' +
            'signal.signal(signal.SIGUSR1, lambda *_: os.dup2(other, fd))\n' +
            'print(json.dumps({"pid": os.getpid(), "child": 0, "memfd": {"fd": fd, "ino": os.fstat(fd).st_ino}}), flush=True)\n' +
            'while True: time.sleep(1e9)',
        );
        const script = `
          import { readlinkSync } from 'node:fs';
          import { findHeld, openHeld } from ${JSON.stringify(`${ROOT}dist/src/api/index.js`)};
          const found = findHeld({ pid: ${made.pid}, fd: ${made.memfd.fd} });
          process.kill(${made.pid}, 'SIGUSR1');
          const link = '/proc/${made.pid}/fd/${made.memfd.fd}';
          for (let i = 0; i < 1e7 && !readlinkSync(link).includes('second'); i++);
          try {
            openHeld(found);
            console.log('read it');
          } catch (e) {
            console.log(found.name, e.message);
          }`;
        const r = ns.run(['node', '--input-type=module', '-e', script]);
        expect(r.stderr).toBe('');
        expect(r.out).toBe(`memfd:first memfd:first (inode ${made.memfd.ino}): its holder let it go since it was found\n`);
      },
      true,
      { posix: true, pid: true },
    ));

  test('bad targets: one line, a documented status, nothing touched', () =>
    withNamespace(
      async (ns) => {
        const { made } = await holder(ns, KINDS);
        const one = (args: string[], status: number, pattern: RegExp): void => {
          const r = ns.cli(args);
          expect(r.status).toBe(status);
          expect(r.out).toBe('');
          expect(r.stderr).toMatch(pattern);
          expect(r.stderr.split('\n')).toHaveLength(2);
        };
        one(['stat', 'inode:x'], 2, /^shmctl-ts: stat: invalid inode in 'inode:x'/);
        one(['holders', `${made.pid}:0`], 1, /^shmctl-ts: holders: \d+:0: is not a memfd or a removed tmpfs file\n$/);
        one(['read', `${made.pid}:999`], 1, /^shmctl-ts: read: \d+:999: no descriptor 999 in process \d+\n$/);
        one(['read', `inode:${made.decoy.ino}`], 1, /held by a process seen\n$/);
        one(['read', `${made.pid}:${made.memfd.fd}`, '--lock'], 2, /--lock and --wait are for segments and objects/);
        one(['ls', '--memfd', '--key', '5'], 2, /--key, --id and --creator-dead select System V segments: not with --memfd/);
        expect(rows(ns, 'memfd')).toHaveLength(2);
        ns.run(['rm', '/dev/shm/decoy (deleted)']);
      },
      true,
      { posix: true, pid: true },
    ));

  test("usage: each bucket grows by what was made, and the buckets add up to meminfo's Shmem", () =>
    withNamespace(
      async (ns) => {
        const MiB = 1 << 20;
        const size = 32 * MiB;
        // Each kind made and every page written, then taken away again. The figures are deltas, and meminfo is the
        // whole machine's: the buckets (of this namespace's processes, segments and mounts) must grow by exactly
        // what was made; Shmem and the rest move with the machine too, so they are judged within 10%, over up to
        // three rounds (a machine that moves more than that in every round is not one this test can judge).
        const misses: string[] = [];
        for (let round = 1; round <= 3; round++) {
          const before = usage(ns);
          const made = await makeEach(ns, size);
          const after = usage(ns);
          const grew = (bucket: string): number => bytesOf(after, bucket) - bytesOf(before, bucket);
          // each bucket by what was made in it, to within 64 KiB
          for (const bucket of ['sysv', 'tmpfs', 'memfd', 'deleted', 'anon'])
            expect([bucket, Math.abs(grew(bucket) - size) <= 64 << 10]).toEqual([bucket, true]);
          // the buckets' largest members are what was made, with their holders
          const top = (bucket: string): { what: string; bytes: number; holders: number[] } =>
            after.buckets.find((b) => b.bucket === bucket)!.items[0]!;
          expect(top('memfd')).toMatchObject({ what: expect.stringMatching(/^memfd:account /), bytes: size });
          expect(top('memfd').holders).toHaveLength(2);
          expect(top('deleted')).toMatchObject({ what: expect.stringMatching(/^\/dev\/shm\/account /), bytes: size });
          expect(top('sysv')).toMatchObject({ what: expect.stringMatching(new RegExp(`^id ${made.id} `)), bytes: size });
          if (round === 1) {
            // the human view: every bucket, with its bytes and share
            const text = ns.cli(['usage', '-b']).out;
            expect(text).toMatch(/^Shmem \(\/proc\/meminfo\) +\d+$/m);
            for (const label of [
              'System V segments',
              'tmpfs files',
              'memfds',
              'removed files still held',
              'shared anonymous memory',
              'the rest',
            ])
              expect(text).toMatch(new RegExp(`^  ${label} +-?\\d+ +-?[\\d.]+%$`, 'm'));
          }
          await made.free();
          // the whole: Shmem grew by the five, and the rest (what no bucket explains) stayed, within 10%
          const shmem = after.shmem - before.shmem;
          const tolerance = 0.1 * 5 * size;
          if (Math.abs(shmem - 5 * size) <= tolerance && Math.abs(grew('rest')) <= tolerance) return;
          misses.push(`round ${round}: Shmem grew by ${shmem}, the rest by ${grew('rest')} (${5 * size} made)`);
        }
        throw new Error(`the buckets did not add up to Shmem in any round:\n${misses.join('\n')}`);
      },
      true,
      { posix: true, pid: true },
    ));

  test('a name planted with terminal escapes and bytes that are not UTF-8 comes out escaped, and a memfd holder is not a way out', () =>
    withNamespace(
      async (ns) => {
        const { made } = await holder(
          ns,
          'import json, os, time\nfd = os.memfd_create(b"x\\x1b]0;pwned\\x07\\xff$(id)")\n' +
            'print(json.dumps({"pid": os.getpid(), "child": 0, "memfd": {"fd": fd, "ino": os.fstat(fd).st_ino}}), flush=True)\ntime.sleep(1e9)',
        );
        const escaped = 'memfd:x\\x1b]0;pwned\\x07\\xff$(id)';
        for (const args of [
          ['ls', '--memfd', '-o', 'NAME', '--noheadings'],
          ['stat', `${made.pid}:${made.memfd.fd}`],
          ['usage', '-v'],
        ]) {
          const r = ns.cli(args);
          expect(r.status).toBe(0);
          expect(r.out).toContain(escaped);
          expect(r.out).not.toMatch(/[\x1b\x07]/);
        }
        // a holder's descriptor swapped for a FIFO: read never waits on it (O_NONBLOCK) and refuses what is not the file
        const fifo = await holder(
          ns,
          'import json, os, time\nos.mkfifo("/dev/shm/trap")\nfd = os.open("/dev/shm/trap", os.O_RDWR)\n' +
            'print(json.dumps({"pid": os.getpid(), "child": 0, "memfd": {"fd": fd, "ino": 0}}), flush=True)\ntime.sleep(1e9)',
        );
        const r = ns.cli(['read', `${fifo.made.pid}:${fifo.made.memfd.fd}`]);
        expect(r).toMatchObject({ status: 1, out: '' });
        expect(r.stderr).toMatch(/is not a memfd or a removed tmpfs file\n$/);
        ns.run(['rm', '/dev/shm/trap']);
      },
      true,
      { posix: true, pid: true },
    ));

  test("as another user: its own memfds, seen through its own descriptors; root's unseen, and said so", () =>
    withNamespace(
      async (ns) => {
        const script = (name: string): string =>
          `import json, os, time\nfd = os.memfd_create("${name}")\nos.write(fd, b"x" * 100)\n` +
          'print(json.dumps({"pid": os.getpid(), "child": 0, "memfd": {"fd": fd, "ino": os.fstat(fd).st_ino}}), flush=True)\ntime.sleep(1e9)';
        const mine = await holder(ns, script('mine'), NOBODY);
        const roots = await holder(ns, script('roots'));
        const r = ns.run([...NOBODY, BIN, 'ls', '--memfd', '--json', '-o', 'NAME,OWNER,ALLOC,HOLDERS']);
        expect(r.status).toBe(0);
        expect((JSON.parse(r.out) as { memfd: unknown[] }).memfd).toEqual([
          { name: 'memfd:mine', owner: 'nobody', alloc: 4096, holders: 1 },
        ]);
        expect(ns.run([...NOBODY, BIN, 'read', `${mine.made.pid}:${mine.made.memfd.fd}`, '--length', '3']).out).toBe('xxx');
        // root's: not to be seen, read or named by this user
        const stat = ns.run([...NOBODY, BIN, 'stat', `inode:${roots.made.memfd.ino}`]);
        expect(stat).toMatchObject({ status: 1, out: '' });
        expect(stat.stderr).toMatch(
          /^shmctl-ts: stat: inode:\d+: no memfd, removed file or shared anonymous region with this inode is held by a process seen\n$/,
        );
        const read = ns.run([...NOBODY, BIN, 'read', `${roots.made.pid}:${roots.made.memfd.fd}`]);
        expect(read).toMatchObject({ status: 1, out: '' });
        expect(read.stderr.split('\n')).toHaveLength(2);
        // usage: runs, and says what it could not read
        const usage = ns.run([...NOBODY, BIN, 'usage']);
        expect(usage.status).toBe(0);
        expect(usage.out).toMatch(/^note: \d+ process(es)? could not be read .*: what they hold is in the rest$/m);
        // and what it cannot see at all: the PID namespaces around this one
        expect(usage.out).toMatch(/^note: this PID namespace is not the first.*: what they hold is in the rest$/m);
      },
      true,
      { posix: true, pid: true },
    ));

  test('watch --memfd: a memfd its holder lets go is a change, said once', () =>
    withNamespace(
      async (ns) => {
        // the holder knows when a look has reached its memfd: the scan opens it (for its seals), which inotify tells
        const { child, made } = await holder(
          ns,
          'import ctypes, json, os, time\nlibc = ctypes.CDLL(None, use_errno=True)\nfd = os.memfd_create("watched")\n' +
            'ino = libc.inotify_init()\nassert libc.inotify_add_watch(ino, b"/proc/self/fd/%d" % fd, 0x20) >= 0\n' +
            'print(json.dumps({"pid": os.getpid(), "child": 0, "memfd": {"fd": fd, "ino": os.fstat(fd).st_ino}}), flush=True)\n' +
            'os.read(ino, 4096)\nprint("seen", flush=True)\ntime.sleep(1e9)',
        );
        let said = '';
        child.stdout!.on('data', (d: Buffer) => (said += d.toString()));
        const w = ns.start([BIN, 'watch', '--memfd', '--jsonl', '--interval', '0.1']);
        let out = '';
        w.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        // the watch's first look has seen it: its end is the one change
        await until(() => said.includes('seen'), "the watch's first look");
        ns.run(['kill', '-KILL', String(made.pid)]);
        await until(() => out.includes('\n'), 'the change');
        ns.sh('pkill -INT -f "watch --memfd"');
        expect(await exited(w)).toBe(0);
        const events = out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { event: string; kind: string; name: string });
        expect(events.map((e) => [e.event, e.kind, e.name])).toEqual([['remove', 'memfd', 'memfd:watched']]);
      },
      true,
      { posix: true, pid: true },
    ));

  test("usage: a container's tmpfs is measured inside its root, never through a link it planted over its mount point", () =>
    withNamespace(
      async (ns) => {
        // a "container" (its own mount namespace) mounts a tmpfs, writes 4 MiB to it, then covers the mount's path
        // with a tmpfs holding a symbolic link of that name to /dev/shm, the namespace's own (32 MiB in it)
        expect(ns.sh('head -c 33554432 /dev/zero > /dev/shm/ours').status).toBe(0);
        const container = ns.start([
          'unshare',
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          'mkdir -p /run/box && mount -t tmpfs -o size=64m box /run/box && mkdir /run/box/t && ' +
            'mount -t tmpfs -o size=64m inner /run/box/t && head -c 4194304 /dev/zero > /run/box/t/data && ' +
            'mount -t tmpfs -o size=1m cover /run/box && ln -s /dev/shm /run/box/t && echo ready && exec sleep 1e9',
        ]);
        let said = '';
        container.stdout!.on('data', (d: Buffer) => (said += d.toString()));
        await until(() => said.includes('ready'), 'the container set up');
        const u = JSON.parse(ns.cli(['usage', '--json', '-v']).out) as {
          buckets: { bucket: string; notes: string[]; items: UsageItem[] }[];
        };
        const tmpfs = u.buckets.find((b) => b.bucket === 'tmpfs')!;
        // the covered mount is said to be out of reach; nothing is counted under its path
        expect(
          tmpfs.notes.some((n) => /^\/run\/box\/t \(mount namespace of pid \d+\) \[tmpfs [0-9a-f:]+\]: covered by another mount/.test(n)),
        ).toBe(true);
        expect(tmpfs.items.filter((i) => i.what.startsWith('/run/box/t '))).toEqual([]);
        // and /dev/shm's 32 MiB are counted once, under /dev/shm
        expect(tmpfs.items.filter((i) => i.bytes === 32 << 20).map((i) => i.what.split(' ')[0])).toEqual(['/dev/shm']);
        ns.run(['rm', '/dev/shm/ours']);
      },
      true,
      { posix: true, pid: true },
    ));

  test('usage --charged: the control group the pages are charged to, found without making a page; none without root', () =>
    withNamespace(
      async (ns) => {
        const size = 8 << 20;
        // a memfd of twice the size, half of it written: only what is in memory is looked up, and nothing is made
        const { made } = await holder(
          ns,
          `import json, mmap, os, time\nfd = os.memfd_create("charged")\nos.ftruncate(fd, ${2 * size})\n` +
            `m = mmap.mmap(fd, ${2 * size}); m[:${size}] = b"x" * ${size}\n` +
            `cg = [l.split(":", 2)[2].strip() for l in open("/proc/self/cgroup") if l.split(":")[1] in ("memory", "")]\n` +
            `print(json.dumps({"pid": os.getpid(), "child": 0, "memfd": {"fd": fd, "ino": os.fstat(fd).st_ino}, "cgroup": cg[0]}), flush=True)\n` +
            `time.sleep(1e9)`,
        );
        const item = (u: Usage): UsageItem =>
          u.buckets.find((b) => b.bucket === 'memfd')!.items.find((i) => i.what.startsWith('memfd:charged '))!;
        const charged = JSON.parse(ns.cli(['usage', '--charged', '--json']).out) as Usage;
        expect(item(charged)).toMatchObject({
          bytes: size,
          charged: [{ cgroup: (made as unknown as { cgroup: string }).cgroup, bytes: size }],
        });
        // nothing was made: the unwritten half is still no memory
        expect(item(usage(ns)).bytes).toBe(size);
        expect(ns.cli(['stat', `inode:${made.memfd.ino}`, '--field', 'alloc']).out).toBe(`${size}\n`);
        // the human view says it under the memfd
        expect(ns.cli(['usage', '--charged']).out).toMatch(/memfd:charged \(inode \d+\)  held by pid \d+\n +charged to \S+ 8M\n/);
        // this namespace's /dev/shm: its objects' pages together, charged to whoever wrote them (the shell's dd)
        expect(ns.sh(`head -c ${size} /dev/zero | tr '\\0' x > /dev/shm/written`).status).toBe(0);
        const writer = ns
          .sh(`head -c 1 /dev/zero > /dev/null; awk -F: '$2 == "memory" || $2 == "" { print $3; exit }' /proc/self/cgroup`)
          .out.trim();
        const again = JSON.parse(ns.cli(['usage', '--charged', '--json']).out) as Usage;
        const devShm = again.buckets.find((b) => b.bucket === 'tmpfs')!.items.find((i) => i.charged !== undefined)!;
        expect(devShm).toMatchObject({ bytes: size, charged: [{ cgroup: writer, bytes: size }] });
        ns.run(['rm', '/dev/shm/written']);
        // another user: no frames to read, so no charges, and a note why
        const nobody = ns.run([...NOBODY, BIN, 'usage', '--charged', '--json']);
        expect(nobody.status).toBe(0);
        const seen = JSON.parse(nobody.out) as Usage & { notes: string[] };
        expect(seen.buckets.flatMap((b) => b.items).some((i) => i.charged !== undefined)).toBe(false);
        expect(seen.notes.join('\n')).toMatch(/could not be read/);
        expect(seen.notes.join('\n')).toMatch(/control group pages are charged to needs root/);
      },
      true,
      { posix: true, pid: true },
    ));
});

/** A segment, a /dev/shm object, and a holder of a memfd, a removed object and shared anonymous memory, `size` bytes each. */
async function makeEach(ns: Namespace, size: number): Promise<{ id: number; free: () => Promise<void> }> {
  expect(ns.cli(['create', '--private', '--size', String(size)]).status).toBe(0);
  const id = ns.segments()[0]!.id;
  expect(ns.sh(`head -c ${size} /dev/zero | tr '\\0' x | ${BIN} write ${id} --file -`).status).toBe(0);
  expect(ns.sh(`head -c ${size} /dev/zero | tr '\\0' x > /dev/shm/named`).status).toBe(0);
  const { child, made } = await holder(ns, account(size));
  return {
    id,
    free: async () => {
      expect(ns.cli(['rm', String(id)]).status).toBe(0);
      ns.run(['rm', '/dev/shm/named']);
      // the holder and its forked child, by their pids in the namespace; nsenter ends with the holder
      ns.run(['kill', '-KILL', String(made.pid), String(made.child)]);
      await exited(child);
    },
  };
}

interface UsageItem {
  what: string;
  bytes: number;
  holders: number[];
  charged?: { cgroup: string; bytes: number }[];
}
interface Usage {
  shmem: number;
  buckets: { bucket: string; bytes: number; items: UsageItem[] }[];
}

function usage(ns: Namespace): Usage {
  const r = ns.cli(['usage', '--json']);
  expect(r).toMatchObject({ status: 0, stderr: '' });
  return JSON.parse(r.out) as Usage;
}

const bytesOf = (u: Usage, bucket: string): number => u.buckets.find((b) => b.bucket === bucket)!.bytes;

/** A memfd, a removed /dev/shm file and shared anonymous memory of `size` bytes each, every page written, held by two. */
const account = (size: number): string => `
import json, mmap, os, time
size = ${size}
fd = os.memfd_create("account")
os.ftruncate(fd, size)
m1 = mmap.mmap(fd, size); m1.write(b"x" * size)
p = "/dev/shm/account"
f = os.open(p, os.O_CREAT | os.O_RDWR, 0o600); os.ftruncate(f, size)
m2 = mmap.mmap(f, size); m2.write(b"x" * size); os.unlink(p); os.close(f)
m3 = mmap.mmap(-1, size, flags=mmap.MAP_SHARED); m3.write(b"x" * size)
child = os.fork()
if child == 0:
    time.sleep(1e9)
print(json.dumps({"pid": os.getpid(), "child": child}), flush=True)
time.sleep(1e9)
`;
