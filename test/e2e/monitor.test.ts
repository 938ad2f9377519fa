/**
 * Monitoring: metrics read by a strict parser of the Prometheus text format
 * (test/helpers/prom.ts) and checked against ls --json, /proc and df; the
 * atomic --output under a reader that never stops reading; watch --jsonl's
 * events for a scripted sequence of changes, and its terminal view under a
 * pseudo-terminal. In private IPC, mount and PID namespaces.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { BIN, exited, NOBODY, PYTHON, until, WAIT_FOR, withNamespace, type Namespace } from '../helpers/ns.js';
import { parseExposition, type Family } from '../helpers/prom.js';

const inNs = { pid: true, posix: true };

const value = (fams: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined =>
  fams.get(name)?.samples.find((s) => JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort()))
    ?.value;

function stdoutOf(child: ChildProcess): () => string {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return () => out;
}

/** A python process in the namespace running `code`, then sleeping; resolves once it said "ready". */
async function holder(ns: Namespace, code: string, as: string[] = []): Promise<ChildProcess> {
  const p = ns.start([...as, PYTHON, '-c', `import ctypes, os, mmap, time\n${code}\nprint('ready', flush=True)\ntime.sleep(60)`]);
  const out = stdoutOf(p);
  await until(() => out().includes('ready'), 'the holder');
  return p;
}

describe('metrics', () => {
  test('every line valid 0.0.4, every family with HELP and TYPE, values those of ls --json, /proc and df', () =>
    withNamespace(
      async (ns) => {
        const rootSeg = Number(ns.cli(['create', '--key', '0x40', '--size', '1000']).out);
        const nobodySeg = Number(ns.run([...NOBODY, BIN, 'create', '--key', '0x41', '--size', '200', '--mode', '0666']).out);
        const kept = await holder(ns, `l = ctypes.CDLL(None); l.shmat(${nobodySeg}, None, 0)`);
        ns.cli(['create', '/a', '--size', '100']);
        ns.run([...NOBODY, BIN, 'create', '/b', '--size', '10']);
        const mapper = await holder(ns, "f = open('/dev/shm/b', 'r+b'); m = mmap.mmap(f.fileno(), 10)");
        const locker = ns.start([BIN, 'lock', String(rootSeg), '--', 'sh', '-c', 'echo held; exec sleep 60']);
        const locked = stdoutOf(locker);
        await until(() => locked().includes('held'), 'the lock');

        const r = ns.cli(['metrics']);
        expect(r).toMatchObject({ status: 0, stderr: '' });
        const fams = parseExposition(r.out);
        for (const [name, f] of fams) {
          expect([name, f.help.length > 0, f.type]).toEqual([name, true, 'gauge']);
          expect(name).toMatch(/^shmctl_[a-z_]+$/);
        }
        // counts and bytes by kind and owner, as ls --json --all lists them
        const listed = (
          JSON.parse(ns.cli(['ls', '--all', '--json', '-o', 'TYPE,OWNER,SIZE']).out) as {
            sharedmemory: { type: string; owner: string; size: number }[];
          }
        ).sharedmemory;
        for (const kind of ['sysv', 'posix'])
          for (const owner of ['root', 'nobody']) {
            const mine = listed.filter((x) => x.type === kind && x.owner === owner);
            expect([
              kind,
              owner,
              value(fams, 'shmctl_objects', { kind, owner }),
              value(fams, 'shmctl_size_bytes', { kind, owner }),
            ]).toEqual([kind, owner, mine.length, mine.reduce((n, x) => n + x.size, 0)]);
          }
        const unattached = (
          JSON.parse(ns.cli(['ls', '--all', '--unattached', '--json', '-o', 'TYPE,SIZE']).out) as {
            sharedmemory: { type: string; size: number }[];
          }
        ).sharedmemory;
        for (const kind of ['sysv', 'posix']) {
          const u = unattached.filter((x) => x.type === kind);
          expect([value(fams, 'shmctl_unattached_objects', { kind }), value(fams, 'shmctl_unattached_size_bytes', { kind })]).toEqual([
            u.length,
            u.reduce((n, x) => n + x.size, 0),
          ]);
        }
        expect(value(fams, 'shmctl_unattached_objects', { kind: 'sysv' })).toBe(1); // root's; nobody's is attached
        expect(value(fams, 'shmctl_creator_dead_segments')).toBe(
          (JSON.parse(ns.cli(['ls', '--creator-dead', '--json']).out) as { sharedmemory: unknown[] }).sharedmemory.length,
        );
        // limits, exactly (64-bit values as integers), and their use
        const [shmmax, shmall, shmmni] = ns
          .run(['sh', '-c', 'cat /proc/sys/kernel/shmmax /proc/sys/kernel/shmall /proc/sys/kernel/shmmni'])
          .out.trim()
          .split('\n');
        expect(r.out).toContain(`\nshmctl_limit_segment_size_bytes ${shmmax}\n`);
        expect(r.out).toContain(`\nshmctl_limit_total_bytes ${BigInt(shmall!) * 4096n}\n`);
        expect(value(fams, 'shmctl_limit_segments')).toBe(Number(shmmni));
        expect(value(fams, 'shmctl_used_segments')).toBe(2);
        const [size, avail] = ns
          .run(['df', '-B1', '--output=size,avail', '/dev/shm'])
          .out.trim()
          .split('\n')[1]!
          .trim()
          .split(/\s+/)
          .map(Number);
        expect([value(fams, 'shmctl_devshm_size_bytes'), value(fams, 'shmctl_devshm_free_bytes')]).toEqual([size, avail]);
        // the lock held, and nothing unread (every process of the namespace is ours)
        expect(value(fams, 'shmctl_locks_held', { kind: 'sysv', mode: 'exclusive' })).toBe(1);
        expect(value(fams, 'shmctl_lock_holders', { kind: 'sysv' })).toBe(1);
        expect(value(fams, 'shmctl_unreadable_processes')).toBe(0);
        // one kind only: the other's families are declared, without samples
        const posixOnly = parseExposition(ns.cli(['metrics', '--posix']).out);
        expect(posixOnly.get('shmctl_limit_segments')!.samples).toEqual([]);
        expect(posixOnly.get('shmctl_objects')!.samples.map((s) => s.labels.kind)).toEqual(['posix', 'posix']);
        kept.kill();
        mapper.kill();
        ns.sh('pkill -f "time[.]sleep"; pkill -f "sleep 60"');
        ns.run(['ipcrm', '--all']);
        ns.cli(['rm', '/a', '/b']);
        await ns.until((s) => s.length === 0, 'the segments gone');
      },
      true,
      inNs,
    ));

  test("label values are escaped by the format (quote, backslash), and a command line's controls as \\xHH: nothing raw for a terminal", () =>
    withNamespace(
      async (ns) => {
        const odd = 'quote" back\\slash\nnew line \x1b[2J';
        const p = ns.start(['unshare', '--ipc', PYTHON, '-c', "import time; print('ready', flush=True); time.sleep(60)", odd]);
        const out = stdoutOf(p);
        await until(() => out().includes('ready'), 'the namespace');
        const r = ns.cli(['metrics', '--all-namespaces', '--sysv']);
        expect(r.out).toContain('quote\\" back\\\\slash\\\\x0anew line \\\\x1b[2J"');
        expect(r.out).not.toContain('\x1b');
        const info = parseExposition(r.out).get('shmctl_namespace_info')!.samples;
        expect(info).toHaveLength(2);
        expect(info.map((s) => s.labels.command)).toContain(
          `${PYTHON} -c import time; print('ready', flush=True); time.sleep(60) quote" back\\slash\\x0anew line \\x1b[2J`,
        );
        // each namespace's samples carry its inode
        expect(
          parseExposition(r.out)
            .get('shmctl_limit_segments')!
            .samples.map((s) => s.labels.namespace)
            .sort(),
        ).toEqual(info.map((s) => s.labels.namespace).sort());
        ns.sh('pkill -f "time[.]sleep"');
      },
      true,
      inNs,
    ));

  test('--all-namespaces (metrics, ls): one pass over /proc answers for every namespace, each segment id for its own namespace only', () =>
    withNamespace(
      async (ns) => {
        // id 0 in three namespaces: ours (nobody attaches it), one where its process attaches it, one where not
        ns.cli(['create', '--private', '--size', '4096']);
        const attach = 'import ctypes,time; l=ctypes.CDLL(None); l.shmat.restype=ctypes.c_void_p; i=l.shmget(0,4096,0o1600)';
        const held = ns.start([
          'unshare',
          '--ipc',
          PYTHON,
          '-c',
          `${attach}; l.shmat(i,None,0); print('ready', flush=True); time.sleep(60)`,
        ]);
        const idle = ns.start(['unshare', '--ipc', PYTHON, '-c', `${attach}; print('ready', flush=True); time.sleep(60)`]);
        const [a, b] = [stdoutOf(held), stdoutOf(idle)];
        await until(() => a().includes('ready') && b().includes('ready'), 'the two namespaces');
        const fams = parseExposition(ns.cli(['metrics', '--all-namespaces', '--sysv']).out);
        // each namespace told by its process's command line (the pids here are another PID namespace's)
        const info = fams.get('shmctl_namespace_info')!.samples;
        const inode = (has: (command: string) => boolean): string | undefined => info.find((s) => has(s.labels.command!))?.labels.namespace;
        const unattached = (namespace: string | undefined): number | undefined =>
          value(fams, 'shmctl_unattached_objects', { namespace: namespace ?? 'none', kind: 'sysv' });
        const attaching = inode((c) => c.includes('l.shmat(i,None,0)'));
        const notAttaching = inode((c) => c.includes('0o1600); print'));
        const ours = inode((c) => !c.includes('0o1600'));
        expect(info).toHaveLength(3);
        expect([unattached(ours), unattached(attaching), unattached(notAttaching)]).toEqual([1, 0, 1]);
        // ls --all-namespaces the same way: HOLDERS and --unattached from one pass
        const rows = (args: string[]): string[] =>
          ns
            .cli(['ls', '--all-namespaces', '--raw', '--noheadings', ...args])
            .out.trim()
            .split('\n')
            .sort();
        expect(rows(['-o', 'NAMESPACE,ID,HOLDERS'])).toEqual([`${attaching} 0 1`, `${notAttaching} 0 0`, `${ours} 0 0`].sort());
        expect(rows(['--unattached', '-o', 'NAMESPACE,ID'])).toEqual([`${notAttaching} 0`, `${ours} 0`].sort());
        ns.sh('pkill -f "time[.]sleep"');
        ns.run(['ipcrm', '--all']);
      },
      true,
      inNs,
    ));

  test('--output replaces the file atomically: a reader never sees half of it; no temporary file is left', () =>
    withNamespace(
      async (ns) => {
        const dir = mkdtempSync(join(tmpdir(), 'shmctl-ts-prom-'));
        const file = join(dir, 'shm.prom');
        try {
          for (let i = 0; i < 50; i++) ns.cli(['create', '--key', String(0x500 + i), '--size', '64']);
          const writer = ns.start(['sh', '-c', `for i in $(seq 25); do ${BIN} metrics --output ${file} || exit 1; done`]);
          let reads = 0;
          let done = false;
          void exited(writer).then(() => (done = true));
          while (!done) {
            try {
              parseExposition(readFileSync(file, 'utf8'));
              reads++;
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
            }
            await new Promise((r) => setImmediate(r));
          }
          expect(writer.exitCode).toBe(0);
          expect(reads).toBeGreaterThan(10);
          expect(readdirSync(dir)).toEqual(['shm.prom']);
          expect(parseExposition(readFileSync(file, 'utf8')).get('shmctl_used_segments')!.samples[0]!.value).toBe(50);
          const bad = ns.cli(['metrics', '--output', join(dir, 'missing', 'x.prom')]);
          expect(bad.status).toBe(1);
          expect(bad.stderr.split('\n').filter(Boolean)).toHaveLength(1);
          expect(readdirSync(dir)).toEqual(['shm.prom']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        ns.run(['ipcrm', '--all']);
      },
      true,
      inNs,
    ));

  test('--output replaces only a regular file (keeping its owner and mode) or makes one; a device, FIFO, link or directory is refused untouched', () =>
    withNamespace((ns) => {
      const dir = ns.run(['mktemp', '-d']).out.trim();
      // a device of our own (the same as /dev/null), never the real one
      ns.sh(`cd ${dir} && mknod null c 1 3 && mkfifo fifo && echo target > target && ln -s target link && mkdir folder`);
      const before = ns.sh(`cd ${dir} && stat -c '%n %F %s' null fifo link target folder`).out;
      for (const [name, what] of [
        ['null', 'a device'],
        ['fifo', 'a FIFO'],
        ['link', 'a symbolic link'],
        ['folder', 'a directory'],
      ]) {
        const r = ns.run(['timeout', '30', BIN, 'metrics', '--output', `${dir}/${name}`]);
        expect([name, r.status, r.stderr]).toEqual([
          name,
          1,
          `shmctl-ts: metrics: ${dir}/${name}: is ${what}: --output replaces only a regular file (or makes one)\n`,
        ]);
      }
      expect(ns.sh(`cd ${dir} && stat -c '%n %F %s' null fifo link target folder`).out).toBe(before);
      // a regular file keeps its owner and mode; a new one is 0644
      ns.sh(`cd ${dir} && echo old > kept.prom && chown 65534:65534 kept.prom && chmod 640 kept.prom`);
      expect(ns.cli(['metrics', '--output', `${dir}/kept.prom`]).status).toBe(0);
      expect(ns.cli(['metrics', '--output', `${dir}/new.prom`]).status).toBe(0);
      expect(
        ns.sh(`cd ${dir} && stat -c '%n %u:%g %a' kept.prom new.prom && grep -c '^# TYPE' kept.prom | grep -qv '^0$' && echo filled`).out,
      ).toBe('kept.prom 65534:65534 640\nnew.prom 0:0 644\nfilled\n');
      expect(ns.cli(['metrics', '--output', ''])).toMatchObject({ status: 2, stderr: 'shmctl-ts: metrics: --output needs a file name\n' });
      ns.run(['rm', '-r', dir]);
    }));
});

describe('watch', () => {
  test('--jsonl prints exactly the changes: create, attach, detach, mode, owner, resize, remove; nothing while nothing changes', () =>
    withNamespace(
      async (ns) => {
        const quiet = ns.cli(['watch', '--jsonl', '--all', '--interval', '0.05', '--count', '6']);
        expect(quiet).toMatchObject({ status: 0, out: '', stderr: '' });

        const w = ns.start([BIN, 'watch', '--jsonl', '--all', '--interval', '0.1']);
        const out = stdoutOf(w);
        const lines = (): { event: string; kind: string; id: number | null; name: string | null }[] =>
          out()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l));
        const step = async (n: number): Promise<void> => until(() => lines().length >= n, `${n} events`);
        await new Promise((r) => setTimeout(r, 300)); // its first look
        const id = Number(ns.cli(['create', '--key', '0x60', '--size', '100']).out);
        await step(1);
        const attacher = await holder(ns, `l = ctypes.CDLL(None); l.shmat(${id}, None, 0)`);
        await step(2);
        attacher.kill();
        ns.sh('pkill -f "time[.]sleep"');
        await step(3);
        ns.cli(['set', String(id), '--mode', '0640']);
        await step(4);
        ns.cli(['set', String(id), '--owner', '65534']);
        await step(5);
        // made whole elsewhere and renamed into place, so that no look finds it half made (created, not yet sized:
        // shm_open then ftruncate, as every program makes one, is two steps a look may fall between)
        expect(
          ns.sh(
            'mkdir /dev/shm/.stage && head -c 10 /dev/zero > /dev/shm/.stage/watched && mv /dev/shm/.stage/watched /dev/shm/ && rmdir /dev/shm/.stage',
          ).status,
        ).toBe(0);
        await step(6);
        ns.run(['truncate', '-s', '20', '/dev/shm/watched']);
        await step(7);
        ns.cli(['rm', String(id), '/watched']);
        await step(9);
        await new Promise((r) => setTimeout(r, 300));
        ns.sh('pkill -INT -f "watch --jsonl"'); // inside the PID namespace: the watch itself, not nsenter
        expect(await exited(w)).toBe(0);
        const got = lines();
        expect(got.map((e) => [e.event, e.kind, e.id ?? e.name])).toEqual([
          ['create', 'sysv', id],
          ['attach', 'sysv', id],
          ['detach', 'sysv', id],
          ['mode', 'sysv', id],
          ['owner', 'sysv', id],
          ['create', 'posix', '/watched'],
          ['resize', 'posix', '/watched'],
          ['remove', 'sysv', id],
          ['remove', 'posix', '/watched'],
        ]);
        expect(got[0]).toMatchObject({
          key: '0x00000060',
          size: 100,
          owner: 'root',
          mode: '0600',
          time: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
        });
        expect(got[1]).toMatchObject({ nattch: { from: 0, to: 1 } });
        expect(got[3]).toMatchObject({ mode: { from: '0600', to: '0640' } });
        expect(got[4]).toMatchObject({ uid: { from: 0, to: 65534 } });
        expect(got[6]).toMatchObject({ size: { from: 10, to: 20 } });
      },
      true,
      inNs,
    ));

  test('a reader that goes away (| head -n 1) ends it quietly: status 0, nothing on stderr', () =>
    withNamespace(
      (ns) => {
        // segments are made until the reader has its line (the first look is watch's baseline, whenever it comes)
        const r = ns.sh(
          `e=$(mktemp); (${BIN} watch --jsonl --interval 0.05 2>$e | head -n 1) & w=$!; ` +
            `k=0; while kill -0 $w 2>/dev/null && [ $k -lt 600 ]; do k=$((k + 1)); ${BIN} create --key $k --size 1 >/dev/null; done; ` +
            `wait $w; cat $e; rm -f $e`,
        );
        expect(r.status).toBe(0);
        expect(r.out).toMatch(/^\{"time":"[^"]+","event":"create","kind":"sysv","id":\d+,"key":"0x[0-9a-f]{8}"[^\n]*\}\n$/);
        ns.run(['ipcrm', '--all']);
      },
      true,
      inNs,
    ));

  test('on a terminal: the ls table in the alternate screen, redrawn in place, a change marked; the screen restored at the end', () =>
    withNamespace(
      (ns) => {
        ns.cli(['create', '--key', '0x70', '--size', '100']);
        const r = ns.run(
          [
            'script',
            '-qec',
            // the segment is made once the first frame is on the terminal (script(1) has passed it on), whenever that is
            `(${WAIT_FOR} written "script -qec" 200 && ${BIN} create --key 0x71 --size 1 >/dev/null) & exec ${BIN} watch --interval 0.2 --count 20`,
            '/dev/null',
          ],
          { env: { TERM: 'xterm', FORCE_COLOR: '1' } },
        );
        expect(r.status).toBe(0);
        const screen = r.out;
        expect(screen.startsWith('\x1b[?1049h\x1b[?25l')).toBe(true);
        expect(screen.endsWith('\x1b[?25h\x1b[?1049l')).toBe(true);
        const frames = screen.split('\x1b[H').slice(1);
        expect(frames.length).toBe(20);
        for (const f of frames) expect(f).toMatch(/^Every 0\.2s: shmctl-ts watch/);
        expect(frames[0]).toContain('0x00000070');
        expect(frames[0]).not.toContain('0x00000071');
        // the frame that first shows the new segment marks its row (and only it)
        const first = frames.findIndex((f) => f.includes('0x00000071'));
        expect(first).toBeGreaterThan(0);
        const row = frames[first]!.split('\n').find((l) => l.includes('0x00000071'))!;
        expect(row).toContain('*');
        expect(row).toContain('\x1b[7m');
        expect(frames[first]!.split('\n').find((l) => l.includes('0x00000070'))).not.toContain('*');
        expect(frames[frames.length - 1]!.split('\n').find((l) => l.includes('0x00000071'))).not.toContain('*');
        ns.run(['ipcrm', '--all']);
      },
      true,
      inNs,
    ));
});
