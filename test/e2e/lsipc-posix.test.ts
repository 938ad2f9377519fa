/**
 * POSIX listings against util-linux 2.42's `lsipc -M`, byte for byte. CI has
 * Debian's util-linux 2.38, which knows no POSIX objects: what lsipc 2.42.2
 * printed was captured once over the objects test/fixtures/lsipc-posix/objects.sh
 * makes (scripts/lsipc-posix-fixtures.mjs regenerates it from a util-linux
 * build) and each case here makes the same objects and runs shmctl-ts.
 *
 * `lsipc -M ARGS` is `shmctl-ts ls --posix ARGS` (-J is --json);
 * `lsipc -M -N NAME ARGS` is `shmctl-ts stat /NAME --format lsipc ARGS`.
 */
import { readFileSync } from 'node:fs';
import { unescapeBytes } from '../../src/model/text.js';
import { LSIPC_POSIX_VERSION } from '../../commands/render/lsipc-posix.js';
import { ROOT, withNamespace, type Namespace } from '../helpers/ns.js';

interface Case {
  env: Record<string, string>;
  args: string[];
  command: string;
  status: number;
  stdout: string;
  stderr: string;
}

const FIXTURES = `${ROOT}test/fixtures/lsipc-posix/`;
const expected = JSON.parse(readFileSync(`${FIXTURES}expected.json`, 'utf8')) as {
  version: string;
  directoryOrder: string[];
  cases: Case[];
};
const objects = readFileSync(`${FIXTURES}objects.sh`, 'utf8');

/** Our command for lsipc's arguments. */
function oursFor(args: string[]): string[] {
  const n = args.indexOf('-N');
  if (n >= 0) return ['stat', `/${args[n + 1]}`, '--format', 'lsipc', ...args.filter((_, i) => i !== n && i !== n + 1)];
  return ['ls', '--posix', ...args.map((a) => (a === '-J' ? '--json' : a))];
}

/** JSON with every string as its bytes (lsipc writes a name's bytes; ours escapes what is not UTF-8) and every value as text. */
function comparable(json: string | Buffer, bytesOf: (s: string) => Buffer): Record<string, Record<string, string | null>[]> {
  const parsed = JSON.parse(typeof json === 'string' ? json : json.toString('latin1')) as Record<string, Record<string, unknown>[]>;
  const out: Record<string, Record<string, string | null>[]> = {};
  for (const [key, rows] of Object.entries(parsed)) {
    out[key] = rows.map((row) => {
      const o: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(row)) {
        if (k === 'lock') continue; // ours: the shmctl-ts lock, a column lsipc does not have
        o[k] = v === null ? null : bytesOf(String(v)).toString('latin1');
      }
      return o;
    });
  }
  return out;
}

/** Makes the fixture's objects in this namespace's /dev/shm, in the same order (the directory's order is lsipc's). */
function makeObjects(ns: Namespace): void {
  const made = ns.run(['sh', '-c', `cd /dev/shm && ${objects}`]);
  expect(made.stderr).toBe('');
  const order = ns.run(['ls', '-f', '/dev/shm']).stdout.toString('latin1').split('\n');
  const names = order.filter((n) => n && n !== '.' && n !== '..').map((n) => Buffer.from(n, 'latin1').toString('base64'));
  // (a kernel that lists a tmpfs in another order needs the fixtures taken again on it)
  expect(names).toEqual(expected.directoryOrder);
}

describe(`POSIX listings are ${expected.version}'s lsipc -M`, () => {
  test('the fixtures are lsipc 2.42.2, over 60 cases, each with its command', () => {
    expect(expected.version).toBe(`lsipc from util-linux ${LSIPC_POSIX_VERSION}`);
    expect(expected.cases.length).toBeGreaterThan(60);
    for (const c of expected.cases) expect(c.command).toContain(`lsipc -M ${c.args[0] ?? ''}`.trim());
  });

  test('every format, column set, locale and time zone, byte for byte (JSON: the same keys and values, typed)', () =>
    withNamespace(
      (ns) => {
        makeObjects(ns);
        const differ: string[] = [];
        for (const c of expected.cases) {
          const args = oursFor(c.args);
          const r = ns.cli(args, { env: c.env });
          const theirs = Buffer.from(c.stdout, 'base64');
          const what = `${c.command}  vs  shmctl-ts ${args.join(' ')}`;
          if (c.status !== 0) {
            // a refusal: ours is a usage error (status 2; lsipc's is 1), one line, naming the same column or options
            const named = /column (\w+)|options (--\w+) and (--\w+)/.exec(c.stderr)!;
            const words = named[1] ? [named[1]] : [named[2]!.slice(1, 3), named[3]!.slice(1, 3)];
            const ok =
              r.status === 2 &&
              r.out === '' &&
              /^shmctl-ts: (ls|stat): [^\n]*\n$/.test(r.stderr) &&
              words.every((w) => r.stderr.includes(w));
            if (!ok) differ.push(`${what}: status ${r.status}, ${JSON.stringify(r.stderr)}`);
            continue;
          }
          if (r.status !== 0 || r.stderr !== '') {
            differ.push(`${what}: status ${r.status}, ${JSON.stringify(r.stderr)}`);
            continue;
          }
          if (c.args.includes('-J')) {
            // JSON: lsipc's shape (its table name, the columns' names and order), typed values. Sizes are bytes and
            // times iso unless -b and --time-format say what lsipc is to print: compare those only then.
            const ours = comparable(r.out, unescapeBytes);
            const want = comparable(theirs, (s) => Buffer.from(s, 'latin1'));
            const aligned = (k: string): boolean =>
              (k !== 'size' || c.args.includes('-b')) && (k !== 'mtime' || c.args.includes('--time-format'));
            for (const rows of [ours, want])
              for (const row of Object.values(rows).flat()) for (const k of Object.keys(row)) if (!aligned(k)) row[k] = '(typed)';
            if (JSON.stringify(ours) !== JSON.stringify(want)) differ.push(`${what}:\n${JSON.stringify(ours)}\n${JSON.stringify(want)}`);
            continue;
          }
          if (!r.stdout.equals(theirs)) differ.push(`${what}:\n--- lsipc\n${theirs.toString()}--- ours\n${r.out}`);
        }
        ns.sh('rm -f /dev/shm/*');
        expect(differ).toEqual([]);
      },
      true,
      { posix: true },
    ));

  test('what lsipc lists that is not an object (a FIFO, a directory, a link) stays out, and a name not found is an error', () =>
    withNamespace(
      (ns) => {
        ns.sh('cd /dev/shm && printf x > real && mkfifo fifo && mkdir dir && ln -s real link');
        expect(ns.cli(['ls', '--posix', '-o', 'NAME', '--noheadings'])).toMatchObject({ status: 0, out: 'real\n' });
        // lsipc -M -N says "not found" on stderr and exits 0; ours exits 1 (our rule for what is not there)
        const missing = ns.cli(['stat', '/nosuch', '--format', 'lsipc']);
        expect(missing).toMatchObject({ status: 1, out: '' });
        expect(missing.stderr).toMatch(/^shmctl-ts: stat: [^\n]*no such POSIX shared memory object[^\n]*\n$/);
        ns.sh('rm -r /dev/shm/*');
      },
      true,
      { posix: true },
    ));
});
