/**
 * ls and stat against the real util-linux on the same segments, byte for byte.
 */
import type { ChildProcess } from 'node:child_process';
import { BIN, ROOT, withNamespace, type Namespace } from '../helpers/ns.js';

const HELPER = `${ROOT}test/helpers/ipc-helper.mjs`;

function expectLsMatchesIpcs(ns: Namespace): void {
  const ours = ns.cli(['ls']);
  const theirs = ns.run(['ipcs', '-m']);
  expect(ours.stderr).toBe('');
  expect(ours.status).toBe(0);
  expect(ours.out).toBe(theirs.out);
  expect(ours.stdout.equals(theirs.stdout)).toBe(true);
  // --format ipcs says the same when asked for explicitly
  expect(ns.cli(['ls', '--format', 'ipcs']).out).toBe(theirs.out);
}

function expectStatMatchesIpcs(ns: Namespace, env: NodeJS.ProcessEnv = {}): void {
  const ids = ns.segments().map((s) => s.id);
  expect(ids.length).toBeGreaterThan(0);
  for (const id of ids) {
    const ours = ns.cli(['stat', String(id), '--format', 'ipcs'], { env });
    const theirs = ns.run(['ipcs', '-m', '-i', String(id)], { env });
    expect(ours.stderr).toBe('');
    expect(ours.status).toBe(0);
    expect(ours.out).toBe(theirs.out);
    // and --format lsipc is lsipc -m -i ID, lsipc's view of one segment: for the first six, in every variant for
    // the first two (the test with 40 segments would spend a minute spawning under load)
    const at = ids.indexOf(id);
    const variants = at < 2 ? [[], ['-b'], ['-P', '--time-format', 'iso'], ['-o', 'KEY,SIZE,COMMAND']] : at < 6 ? [[]] : [];
    for (const extra of variants) {
      const one = ns.cli(['stat', String(id), '--format', 'lsipc', ...extra], { env });
      const lsipc = ns.run(['lsipc', '-m', '-i', String(id), ...extra], { env });
      expect([one.status, one.stderr, lsipc.status]).toEqual([0, '', 0]);
      expect(`${extra.join(' ')}\n${one.out}`).toBe(`${extra.join(' ')}\n${lsipc.out}`);
    }
  }
}

/** Attach in the background with our own attach; resolves once nattch shows it. */
async function holdAttached(ns: Namespace, id: number): Promise<ChildProcess> {
  const before = ns.segments().find((s) => s.id === id)!.nattch;
  const child = ns.start([BIN, 'attach', String(id), '-q']);
  await ns.until((segs) => (segs.find((s) => s.id === id)?.nattch ?? 0) > before, `nattch of ${id} to rise`);
  return child;
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

function rmAll(ns: Namespace): void {
  const r = ns.run(['ipcrm', '--all=shm']);
  expect(r.status).toBe(0);
}

describe('ls matches ipcs -m byte for byte', () => {
  test('in an empty namespace', () =>
    withNamespace((ns) => {
      expectLsMatchesIpcs(ns);
    }));

  test('for IPC_PRIVATE, a key with the high bit set, and sizes from 1 byte to 16 GiB', () =>
    withNamespace((ns) => {
      const made = [
        ['--private', '--size', '100000', '--mode', '644'],
        ['--key', '0xdeadbeef', '--size', '1'],
        ['--key', '0x80000000', '--size', '4095', '--mode', '0'],
        ['--key', '1', '--size', '4096', '--mode', '777'],
        ['--key', '0xffffffff', '--size', '4097', '--mode', '640'],
        ['--key', '12345', '--size', '1G', '--mode', '604'],
        ['--private', '--size', '16G', '--mode', '400'],
        ['--key', '077', '--size', '9999999999', '--mode', '060'],
      ];
      for (const args of made) expect(ns.cli(['create', ...args]).status).toBe(0);
      expectLsMatchesIpcs(ns);
      expectStatMatchesIpcs(ns);
      rmAll(ns);
    }));

  test('owner names read from /etc/passwd and /etc/group themselves (NSS reads them first) are the ones NSS gives: comments, blanks, a repeated id, odd bytes, an id only NSS knows', () =>
    withNamespace(
      (ns) => {
        // a passwd and a group of this namespace's own, mounted over the real ones
        const dir = ns.run(['mktemp', '-d']).out.trim();
        const entry = (kind: string, name: string, id: string): string => `${name}:x:${id}:${id}${kind === 'passwd' ? '::/:/bin/sh' : ':'}`;
        const install = (odd: boolean): void => {
          for (const kind of ['passwd', 'group']) {
            const lines = [
              '#hidden:x:30001:30001::/:/bin/sh',
              `  ${entry(kind, 'blank', '30002')}`,
              entry(kind, 'first', '30003'),
              entry(kind, 'second', '30003'),
              entry(kind, 'broken', 'notanid'),
              ...(odd ? [entry(kind, 'odd\\033[2Jname\\377', '30004')] : []),
            ];
            ns.sh(
              `umount /etc/${kind} 2>/dev/null; (cat /etc/${kind}; printf '${lines.join('\\n')}\\n') > ${dir}/${kind} && mount --bind ${dir}/${kind} /etc/${kind}`,
            );
          }
        };
        install(false);
        for (const id of [30001, 30002, 30003, 30004, 30005]) {
          const made = ns.run(['setpriv', `--reuid=${id}`, `--regid=${id}`, '--clear-groups', BIN, 'create', '--private', '--size', '64']);
          expect(made.status).toBe(0);
        }
        // ipcs (getpwuid through NSS) prints the same names
        expectLsMatchesIpcs(ns);
        // odd bytes (which ipcs prints raw, and we escape): the same as our NSS route gives, with NSS told to read
        // the files by another name ("compat"), which the shortcut leaves to NSS
        install(true);
        const listed = (): string => ns.cli(['ls', '-o', 'ID,OWNER,GROUP', '--raw', '--noheadings']).out;
        const files = listed();
        expect(files).toBe(
          ['0 30001 ', '1 blank blank', '2 first first', '3 odd\\x1b[2Jname\\xff odd\\x1b[2Jname\\xff', '4 30005 ', ''].join('\n'),
        );
        ns.sh(`printf 'passwd: compat\\ngroup: compat\\n' > ${dir}/nsswitch.conf && mount --bind ${dir}/nsswitch.conf /etc/nsswitch.conf`);
        expect(listed()).toBe(files);
        rmAll(ns);
        ns.sh(`umount /etc/passwd /etc/group /etc/nsswitch.conf; rm -r ${dir}`);
      },
      true,
      { mount: true },
    ));

  test('for a segment removed while attached (dest), and after attach and detach times are set', () =>
    withNamespace(async (ns) => {
      const kept = Number(ns.cli(['create', '--key', '0x5eed', '--size', '8192']).out);
      const doomed = Number(ns.cli(['create', '--key', '0x5eee', '--size', '100']).out);
      expect(ns.cli(['attach', String(kept), '-q', '--timeout', '0']).status).toBe(0); // sets atime, dtime
      const holder = await holdAttached(ns, doomed);
      const other = await holdAttached(ns, kept);
      expect(ns.cli(['rm', String(doomed)]).status).toBe(0);
      const dest = ns.segments().find((s) => s.id === doomed)!;
      expect(dest.key).toBe(0);
      expect(dest.mode & 0o1000).toBe(0o1000);
      expectLsMatchesIpcs(ns);
      expectStatMatchesIpcs(ns);
      expect(await stop(holder)).toBe(0);
      expect(await stop(other)).toBe(0);
      // gone at the last detach
      expect(ns.segments().map((s) => s.id)).toEqual([kept]);
      expectLsMatchesIpcs(ns);
      rmAll(ns);
    }));

  test('for locked and dest+locked segments', () =>
    withNamespace(async (ns) => {
      const locked = ns.ipcmk(5000);
      const both = ns.ipcmk(6000, '0600');
      for (const id of [locked, both]) expect(ns.run(['node', HELPER, 'lock', String(id)]).status).toBe(0);
      const holder = await holdAttached(ns, both);
      expect(ns.run(['ipcrm', '-m', String(both)]).status).toBe(0);
      expectLsMatchesIpcs(ns);
      expectStatMatchesIpcs(ns);
      expect(ns.cli(['ls']).out).toMatch(/dest\s+locked/);
      await stop(holder);
      rmAll(ns);
    }));

  test('for an owner with no passwd entry and a group with no group entry', () =>
    withNamespace((ns) => {
      const id = ns.ipcmk(4096);
      expect(ns.run(['node', HELPER, 'set', String(id), '4000123', '4000456']).status).toBe(0);
      expect(ns.segments()[0]).toMatchObject({ uid: 4000123, gid: 4000456 });
      const named = ns.ipcmk(10); // and a named owner beside it
      expectLsMatchesIpcs(ns);
      expectStatMatchesIpcs(ns);
      expect(ns.cli(['ls']).out).toContain('4000123');
      const json = JSON.parse(ns.cli(['ls', '--json', '-o', 'all']).out);
      expect(json.sharedmemory[0]).toMatchObject({ uid: 4000123, owner: '4000123', gid: 4000456, group: null }); // lsipc's: the uid where there is no name
      expect(json.sharedmemory[1]).toMatchObject({ id: named, owner: 'root' });
      rmAll(ns);
    }));

  test('for many segments made by ipcmk with random sizes and modes, some removed while attached', () =>
    withNamespace(async (ns) => {
      const seed = Date.now() % 100000;
      let state = seed;
      const random = (n: number): number => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n);
      const ids: number[] = [];
      for (let i = 0; i < 40; i++) {
        const size = [1, 4096, 4097, 65536, 1 + random(10_000_000), 2 ** 32 + random(1000)][random(6)]!;
        const mode = (random(0o1000) & 0o777).toString(8);
        ids.push(ns.ipcmk(size, mode));
      }
      // a few gaps in the id space, and a few dest
      for (const id of ids.filter((_, i) => i % 7 === 3)) ns.run(['ipcrm', '-m', String(id)]);
      const holders: ChildProcess[] = [];
      for (const id of ids.filter((_, i) => i % 9 === 5)) {
        holders.push(await holdAttached(ns, id));
        ns.run(['ipcrm', '-m', String(id)]);
      }
      try {
        expectLsMatchesIpcs(ns);
        expectStatMatchesIpcs(ns);
      } catch (e) {
        throw new Error(`seed ${seed}: ${(e as Error).message}`);
      }
      for (const h of holders) await stop(h);
      rmAll(ns);
    }));
});

describe('stat --format ipcs matches ipcs -m -i', () => {
  test.each(['UTC', 'America/New_York', 'Asia/Kolkata'])('with times shown in TZ=%s', (tz) =>
    withNamespace((ns) => {
      const id = ns.ipcmk(100000);
      ns.cli(['attach', String(id), '-q', '--timeout', '0']);
      expectStatMatchesIpcs(ns, { TZ: tz });
      rmAll(ns);
    }),
  );

  test('a missing id exits 1 with a message (ipcs exits 0)', () =>
    withNamespace((ns) => {
      const ours = ns.cli(['stat', '999', '--format', 'ipcs']);
      expect(ours.status).toBe(1);
      expect(ours.out).toBe('');
      expect(ours.stderr).toBe('shmctl-ts: stat: id 999: no such segment (EINVAL)\n');
      expect(ns.run(['ipcs', '-m', '-i', '999']).status).toBe(0);
    }));
});

describe('views given together: ipcs keeps the last, lsipc adds -c and -t', () => {
  const flags = ['-t', '-p', '-c', '-l', '-u', '-b'];
  const pairs = flags.flatMap((a) => flags.filter((b) => b !== a).map((b) => [a, b]));
  const triples = flags.flatMap((a, i) => flags.slice(i + 1).flatMap((b, j) => flags.slice(i + j + 2).map((c) => [a, b, c])));

  test('every pair and triple of -t -p -c -l -u -b, in ipcs format, is ipcs -m byte for byte (status too)', () =>
    withNamespace((ns) => {
      ns.run(['ipcmk', '-M', '4096']);
      ns.run(['ipcmk', '-M', '100000']);
      // one shell runs them all: each line is the case, the status of each tool, and the digest of its output
      const cases = [...pairs, ...triples, ...triples.map((t) => [...t].reverse())];
      const script = cases
        .map(
          (c) =>
            `a=$(ipcs -m ${c.join(' ')} 2>&1 | sha1sum); ra=$?; b=$(${BIN} ls ${c.join(' ')} 2>&1 | sha1sum); echo "${c.join(' ')}: $a $b"`,
        )
        .join('\n');
      const lines = ns.sh(`set -o pipefail\n${script}`).out.trim().split('\n');
      expect(lines).toHaveLength(cases.length);
      const differing = lines.filter((l) => {
        const [, a, b] = /^.*?: (\S+) +- (\S+) +-$/.exec(l) ?? [];
        return a === undefined || a !== b;
      });
      expect(differing).toEqual([]);
      rmAll(ns);
    }));

  test('-c, -t and -b in any order and number, in the lsipc formats, are lsipc -m (-o with -c or -t refused, as lsipc does)', () =>
    withNamespace((ns) => {
      ns.run(['ipcmk', '-M', '4096']);
      const id = ns.cli(['create', '--key', '0x7120', '--size', '100000']).out.trim();
      ns.cli(['attach', id, '-q', '--', 'true']);
      const sets = [
        ['-c', '-t'],
        ['-t', '-c'],
        ['-t', '-b'],
        ['-c', '-b'],
        ['-b', '-c', '-t'],
        ['-t', '-b', '-c'],
        ['-c', '-t', '-b'],
      ];
      for (const set of sets) {
        for (const format of [['--raw'], ['--export'], ['--noheadings']]) {
          const theirs = ns.run(['lsipc', '-m', ...format, ...set]);
          const ours = ns.cli(['ls', ...(format[0] === '--noheadings' ? ['--format', 'lsipc'] : []), ...format, ...set]);
          expect([set, format, ours.out]).toEqual([set, format, theirs.out]);
        }
        // JSON: the same columns in the same order (the values are typed: a documented difference)
        const keys = (r: { out: string }) => Object.keys(JSON.parse(r.out).sharedmemory[0]).filter((k) => k !== 'lock');
        expect(keys(ns.cli(['ls', '--json', ...set]))).toEqual(keys(ns.run(['lsipc', '-m', '--json', ...set])));
      }
      expect(ns.run(['lsipc', '-m', '--raw', '-t', '-o', 'KEY']).status).not.toBe(0);
      expect(ns.cli(['ls', '--raw', '-t', '-o', 'KEY'])).toMatchObject({
        status: 2,
        stderr: "shmctl-ts: ls: -o does not go with -t in lsipc's formats (lsipc refuses them together)\n",
      });
      rmAll(ns);
    }));
});

describe("lsipc's other options for -m", () => {
  test('-g (the limits), -n, -y and --notruncate, alone and with -b, -t, -c, -o, --noheadings and every format, are lsipc -m byte for byte', () =>
    withNamespace((ns) => {
      ns.run(['ipcmk', '-M', '4096']);
      ns.run(['ipcmk', '-M', '10000']);
      const withG = [
        '',
        '--raw',
        '--export',
        '-n',
        '-b',
        '--raw -o KEY',
        '-t',
        '-c',
        '-t -c -b',
        '--noheadings',
        '-y',
        '-y --export',
        '-n -y',
      ];
      const more = ['--raw -o RESOURCE,USE%', '--raw -o +USED', '--notruncate', '-n -o KEY,ID'];
      const plain = ['-n', '-n --noheadings', '-y --raw', '-y --export', '--notruncate', '-n -o KEY,COMMAND', '-n -t -c'];
      const cases = [...[...withG, ...more].map((f) => `-g ${f}`), ...plain];
      const script = cases
        .map(
          (c) =>
            `a=$(lsipc -m ${c} 2>&1; echo "status $?"); b=$(${BIN} ls ${c} 2>&1; echo "status $?"); [ "$a" = "$b" ] || echo "differs: ${c}"`,
        )
        .join('\n');
      expect(ns.sh(script)).toMatchObject({ status: 0, out: '' });
      // JSON: lsipc's "ipclimits", the same values
      for (const y of [[], ['-y']])
        expect(JSON.parse(ns.cli(['ls', '-g', '--json', ...y]).out)).toEqual(JSON.parse(ns.run(['lsipc', '-m', '-g', '--json', ...y]).out));
      expect(ns.cli(['ls', '-g', '-y', '--raw']).out.split('\n')[0]).toMatch(/ USE_PCT$/);
      rmAll(ns);
    }));
});
