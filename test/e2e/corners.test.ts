/**
 * The corners a real user meets: text that is UTF-8 (or not), owners without
 * names, colour rules, time zones glibc understands, odd terminal widths,
 * big segments in constant memory, refusals that change nothing, and a suite
 * that runs from any folder. Each against the real tools where there is one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, PYTHON, pythonCreator, ROOT, withNamespace, type Namespace } from '../helpers/ns.js';

/** Peak anonymous (private) memory of a command in the namespace, sampled from /proc every 2 ms. */
function peakPrivate(ns: Namespace, args: string[]): Promise<{ status: number | null; peak: number }> {
  return new Promise((resolve) => {
    const child = spawn('nsenter', ['--target', String(ns.pid), '--ipc', '--mount', '--', BIN, ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    let peak = 0;
    const timer = setInterval(() => {
      try {
        const m = /RssAnon:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'latin1'));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {
        /* gone */
      }
    }, 2);
    child.on('exit', (status) => {
      clearInterval(timer);
      resolve({ status, peak });
    });
  });
}

describe('text', () => {
  test('a command line in UTF-8 is shown as UTF-8; --raw and --export escape its bytes as lsipc does, byte for byte', () =>
    withNamespace(async (ns) => {
      const holder = await pythonCreator(ns, 0x7100, 'café x\\y\tz');
      for (const format of [['--raw'], ['--export'], []]) {
        const ours = ns.cli(['ls', ...format, '-o', 'KEY,COMMAND']).stdout;
        const theirs = ns.run(['lsipc', '-m', ...format, '-o', 'KEY,COMMAND']).stdout;
        expect([format, ours.toString('latin1')]).toEqual([format, theirs.toString('latin1')]);
      }
      expect(ns.cli(['ls', '--raw', '--noheadings', '-o', 'COMMAND']).out).toMatch(/\\x20caf\\xc3\\xa9\\x20x\\x5cy\\x09z\n$/);
      expect(JSON.parse(ns.cli(['ls', '--json', '-o', 'COMMAND']).out).sharedmemory[0].command).toMatch(/ café x\\y\tz$/);
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
      ns.run(['ipcrm', '--all=shm']);
    }));

  test('command lines with NULs inside, NULs at the end, a title padded with NULs (stress-ng) and one past 8 KiB: lsipc, byte for byte', () =>
    withNamespace(
      async (ns) => {
        const make = (key: number) => `import ctypes, time; ctypes.CDLL(None).shmget(${key}, 64, 0o1644)`;
        // a title written over the argument area, the rest NULs, as setproctitle (and stress-ng's workers) do
        const retitle =
          "s = open('/proc/self/stat', 'rb').read(); f = s[s.rindex(b')') + 2:].split(); start, end = int(f[45]), int(f[46]); " +
          "t = b'stress-ng-shm-sysv [run]'; m = open('/proc/self/mem', 'r+b'); m.seek(start); m.write(t + bytes(end - start - len(t))); m.close()";
        const holders = [
          ns.start([PYTHON, '-c', `${make(0x7110)}; time.sleep(60)`, '', '']), // ends in three NULs
          ns.start([PYTHON, '-c', `${make(0x7111)}; time.sleep(60)`, 'a', '', 'b']), // two NULs inside
          ns.start([PYTHON, '-c', `${retitle}; ${make(0x7112)}; time.sleep(60)`, 'x'.repeat(64)]),
          ns.start([PYTHON, '-c', `${make(0x7113)}; time.sleep(60)`, 'y'.repeat(9000)]), // past util-linux's 8 KiB
          ns.start([PYTHON, '-c', `${retitle.replace("b'stress-ng-shm-sysv [run]'", "b''")}; ${make(0x7114)}; time.sleep(60)`]), // only NULs
        ];
        await ns.until((s) => s.length === 5, 'the five segments');
        for (const format of [['--raw'], ['--export'], []]) {
          const ours = ns.cli(['ls', ...format, '-o', 'KEY,COMMAND']).stdout.toString('latin1');
          const theirs = ns.run(['lsipc', '-m', ...format, '-o', 'KEY,COMMAND']).stdout.toString('latin1');
          expect([format, ours]).toEqual([format, theirs]);
        }
        // (JSON: the same values; the layout of the text is ours)
        const json = (cmd: string[]) => JSON.parse(ns.run([...cmd, '--json', '-o', 'KEY,COMMAND']).out);
        expect(json([BIN, 'ls'])).toEqual(json(['lsipc', '-m']));
        const raw = ns.cli(['ls', '--raw', '--noheadings', '-o', 'KEY,COMMAND']).out;
        expect(raw).toMatch(/^0x00007112 stress-ng-shm-sysv\\x20\[run\](\\x20){5,}$/m);
        expect(raw).toMatch(/time\.sleep\(60\)\\x20\\x20$/m);
        expect(raw).toMatch(/\\x20a\\x20\\x20b$/m);
        for (const h of holders) h.kill('SIGKILL');
        ns.sh('pkill -f "time[.]sleep"; true');
        ns.run(['ipcrm', '--all=shm']);
      },
      true,
      // pkill and pgrep here see this namespace's processes only, never another test's
      { pid: true },
    ));

  test("stress-ng's own workers (their titles padded with NULs): COMMAND is lsipc's, byte for byte", () =>
    withNamespace(
      async (ns) => {
        ns.start(['stress-ng', '--shm-sysv', '1', '--shm-sysv-bytes', '1M', '--shm-sysv-segs', '4', '--timeout', '60']);
        // held still while both look (its workers make and remove segments all the time): stopped, every process of
        // it seen stopped, at a moment when two or more of its segments are there; otherwise let go and tried again
        const stopped = (): boolean => {
          ns.run(['pkill', '-STOP', 'stress-ng']);
          for (let i = 0; i < 500; i++) {
            // its workers are named stress-ng-shm-s… (ps -C would find the parent alone)
            const states = ns
              .run(['ps', '-eo', 'comm=,stat='])
              .out.split('\n')
              .filter((l) => l.startsWith('stress-ng'))
              .map((l) => l.trim().split(/\s+/).pop()!);
            if (states.length && states.every((st) => st.startsWith('T') || st.startsWith('Z'))) return ns.segments().length >= 2;
          }
          return false;
        };
        await ns.until(
          (s) => s.length >= 2 && (stopped() || (ns.run(['pkill', '-CONT', 'stress-ng']), false)),
          'stress-ng stopped with its segments',
        );
        try {
          for (const format of [['--raw'], ['--export'], []]) {
            const ours = ns.cli(['ls', ...format, '-o', 'KEY,CPID,COMMAND']).stdout.toString('latin1');
            const theirs = ns.run(['lsipc', '-m', ...format, '-o', 'KEY,CPID,COMMAND']).stdout.toString('latin1');
            expect([format, ours]).toEqual([format, theirs]);
          }
          expect(ns.cli(['ls', '--raw', '--noheadings', '-o', 'COMMAND']).out).toMatch(/^stress-ng-shm-sysv\\x20\[run\](\\x20)+$/m);
        } finally {
          ns.run(['pkill', '-KILL', 'stress-ng']);
        }
        // (its killed processes stay zombies here, unreaped by this namespace's first process: they hold nothing)
        await ns.until((segments) => segments.every((x) => x.nattch === 0), 'stress-ng detached');
        ns.run(['ipcrm', '--all']);
      },
      true,
      // pkill and pgrep here see this namespace's processes only, never another test's
      { pid: true },
    ));

  test('an owner with no passwd entry is its uid, in JSON and stat --field, as lsipc prints it', () =>
    withNamespace((ns) => {
      const id = ns.cli(['create', '--key', '0x7101', '--size', '8']).out.trim();
      expect(ns.cli(['set', id, '--owner', '4242']).status).toBe(0);
      expect(ns.cli(['stat', id, '--field', 'owner']).out).toBe('4242\n');
      const ours = JSON.parse(ns.cli(['ls', '--json', '-o', 'ID,OWNER,USER']).out).sharedmemory[0];
      const theirs = JSON.parse(ns.run(['lsipc', '-m', '--json', '-o', 'ID,OWNER,USER']).out).sharedmemory[0];
      expect(ours).toEqual({ id: Number(id), owner: theirs.owner, user: theirs.user });
      expect(ours.owner).toBe('4242');
      ns.cli(['rm', id]);
    }));

  test('colour: NO_COLOR, FORCE_COLOR (0 off, 1 on even in a pipe), TERM=dumb', () =>
    withNamespace((ns) => {
      const id = ns.cli(['create', '--key', '0x7102', '--size', '8']).out.trim();
      const coloured = (env: NodeJS.ProcessEnv, command = `${BIN} ls; ${BIN} stat ${id}`): boolean =>
        ns.run(['script', '-qec', command, '/dev/null'], { env: { TERM: 'xterm', ...env } }).out.includes('\x1b[');
      expect(coloured({})).toBe(true);
      expect(coloured({ TERM: 'dumb' })).toBe(false);
      expect(coloured({ FORCE_COLOR: '0' })).toBe(false);
      expect(coloured({ NO_COLOR: '1' })).toBe(false);
      expect(coloured({ NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
      expect(coloured({ TERM: 'dumb', FORCE_COLOR: '1' })).toBe(true);
      // no terminal: no colour, unless forced
      expect(ns.cli(['ls', '--format', 'table']).out).not.toContain('\x1b[');
      expect(ns.cli(['ls', '--format', 'table'], { env: { FORCE_COLOR: '1' } }).out).toContain('\x1b[');
      expect(ns.cli(['stat', id], { env: { FORCE_COLOR: '1' } }).out).toContain('\x1b[');
      ns.cli(['rm', id]);
    }));
});

describe('progress and memory', () => {
  test('any COLUMNS (Infinity, 1e9, junk): a forced progress bar never fails or cuts short a copy', () =>
    withNamespace((ns) => {
      const id = ns.cli(['create', '--key', '0x7104', '--size', '40M']).out.trim();
      ns.run(['sh', '-c', 'head -c 40M /dev/urandom > /tmp/shmctl-ts-40m']);
      for (const columns of ['Infinity', '1e9', '-5', 'wide', '0']) {
        const w = ns.cli(['write', id, '--progress', '--file', '/tmp/shmctl-ts-40m'], { env: { COLUMNS: columns } });
        expect([columns, w.status, w.stderr.length < 4096]).toEqual([columns, 0, true]);
        const r = ns.run(['sh', '-c', `${BIN} read ${id} --progress | cmp - /tmp/shmctl-ts-40m && echo same`], {
          env: { COLUMNS: columns },
        });
        expect([columns, r.out]).toEqual([columns, 'same\n']);
      }
      ns.run(['rm', '-f', '/tmp/shmctl-ts-40m']);
      ns.cli(['rm', id]);
    }));

  test('read --format string and --format hex stream in constant private memory', () =>
    withNamespace(
      async (ns) => {
        ns.run(['mount', '-t', 'tmpfs', '-o', 'size=600m', 'big', '/dev/shm']);
        ns.cli(['create', '/big', '--size', '256M']);
        // no NUL anywhere: the string is the whole object
        expect(ns.sh(`head -c 256M /dev/zero | tr '\\0' a | ${BIN} write /big`).status).toBe(0);
        const string = await peakPrivate(ns, ['read', '/big', '--format', 'string']);
        const hex = await peakPrivate(ns, ['read', '/big', '--length', '32M', '--format', 'hex']);
        expect(string).toMatchObject({ status: 0 });
        expect(hex).toMatchObject({ status: 0 });
        expect(string.peak).toBeLessThan(64 << 20);
        expect(hex.peak).toBeLessThan(64 << 20);
        expect(ns.sh(`${BIN} read /big --format string | wc -c`).out.trim()).toBe(String((256 << 20) + 1));
        ns.cli(['rm', '/big']);
        ns.run(['umount', '/dev/shm']);
      },
      true,
      { mount: true },
    ));
});

describe('refusals change nothing', () => {
  test('a write or read outside the segment is refused before it is attached: /proc/sysvipc/shm is as it was', () =>
    withNamespace((ns) => {
      const id = ns.cli(['create', '--key', '0x7105', '--size', '100']).out.trim();
      const before = ns.run(['cat', '/proc/sysvipc/shm']).out;
      for (const args of [
        ['write', id, '--offset', '90', '--data', '0123456789ab'],
        ['write', id, '--offset', '101', '--data', 'x'],
        ['read', id, '--offset', '101'],
        ['read', id, '--offset', '50', '--length', '51'],
      ]) {
        const r = ns.cli(args);
        expect([args, r.status]).toEqual([args, 1]);
        expect(r.stderr).toMatch(/passes the end of the segment|is past the end of the segment/);
      }
      expect(ns.run(['cat', '/proc/sysvipc/shm']).out).toBe(before);
      ns.cli(['rm', id]);
    }));

  test('a full /dev/shm names the object and the bytes written; a directory is said to be one', () =>
    withNamespace(
      (ns) => {
        ns.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'small', '/dev/shm']);
        ns.cli(['create', '/full', '--size', '4M']);
        const r = ns.sh(`head -c 3M /dev/zero | ${BIN} write /full`);
        expect(r).toMatchObject({
          status: 1,
          stderr: 'shmctl-ts: write: /full: no space left in /dev/shm; 1048576 bytes were written (ENOSPC)\n',
        });
        ns.run(['mkdir', '/dev/shm/dir']);
        expect(ns.cli(['write', '/dir', '--data', 'x'])).toMatchObject({
          status: 1,
          stderr: 'shmctl-ts: write: /dir: is not a shared memory object (/dev/shm/dir is a directory)\n',
        });
        ns.run(['umount', '/dev/shm']);
      },
      true,
      { mount: true },
    ));
});

describe('a first run', () => {
  test('the binary the suite runs is reachable by nobody, wherever the checkout is', () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', BIN, '--version'], { encoding: 'utf8' });
    expect(r).toMatchObject({ status: 0, stderr: '' });
  });

  test('package.json decides for every dependency that has install scripts (allowScripts)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const withScripts: string[] = [];
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir)) {
        if (entry.startsWith('.')) continue;
        if (entry.startsWith('@')) {
          visit(join(dir, entry));
          continue;
        }
        const file = join(dir, entry, 'package.json');
        if (!existsSync(file)) continue;
        const p = JSON.parse(readFileSync(file, 'utf8'));
        if (p.scripts && ['preinstall', 'install', 'postinstall'].some((s) => s in p.scripts)) withScripts.push(p.name);
        if (existsSync(join(dir, entry, 'node_modules'))) visit(join(dir, entry, 'node_modules'));
      }
    };
    visit(join(ROOT, 'node_modules'));
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect([name, typeof pkg.allowScripts?.[name]]).toEqual([name, 'boolean']);
  });
});

describe('platforms', () => {
  test('on a platform without a struct table, a command that needs one refuses in one line and changes nothing', () =>
    withNamespace((ns) => {
      const preload = ns.run(['mktemp', '--suffix=.cjs']).out.trim();
      ns.run(['sh', '-c', `echo "Object.defineProperty(process, 'arch', { value: 'riscv64' });" > ${preload}`]);
      const r = ns.run([process.execPath, '-r', preload, BIN, 'create', '--private', '--size', '1']);
      expect(r).toMatchObject({
        status: 1,
        stderr:
          "shmctl-ts: create: linux riscv64 glibc: no table of the kernel's struct layouts for this platform " +
          '(there are for linux x64 glibc and linux arm64 glibc)\n',
      });
      expect(ns.segments()).toEqual([]);
      ns.run(['rm', '-f', preload]);
    }));
});
