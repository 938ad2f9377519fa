/**
 * What a finished command-line tool has: shell completion (bash tested with
 * complete -p and the completion function itself, zsh and fish through their
 * own completion engines) and a progress bar on a terminal (a pseudo-terminal
 * made by script(1)), never on a pipe.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, withNamespace, type Namespace } from '../helpers/ns.js';

let bin: string;
let PATH: string;
beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'shmctl-ts-path-'));
  symlinkSync(BIN, join(bin, 'shmctl-ts'));
  PATH = `${bin}:${process.env.PATH}`;
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** The completions bash offers for these words (the last one being completed). */
function bashComplete(ns: Namespace, words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const r = ns.run(
    [
      'bash',
      '-c',
      'source <(shmctl-ts completion bash) && ' +
        `COMP_WORDS=(${quoted}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); _shmctl_ts; ` +
        'printf "%s\\n" "${COMPREPLY[@]}"',
    ],
    { env: { PATH } },
  );
  expect(r.stderr).toBe('');
  return r.out.split('\n').filter(Boolean).sort();
}

describe('completion', () => {
  test('bash: registered for shmctl-ts; completes subcommands, options, choices, files and live ids, keys and names', () =>
    withNamespace(
      (ns) => {
        const registered = ns.run(['bash', '-c', 'source <(shmctl-ts completion bash) && complete -p shmctl-ts'], { env: { PATH } });
        expect(registered.out).toBe('complete -F _shmctl_ts shmctl-ts\n');
        expect(bashComplete(ns, ['shmctl-ts', 'r'])).toEqual(['read', 'rm', 'run']);
        expect(bashComplete(ns, ['shmctl-ts', 'c'])).toEqual(['check', 'completion', 'create']);
        expect(bashComplete(ns, ['shmctl-ts', 'ls', '--js'])).toEqual(['--json']);
        expect(bashComplete(ns, ['shmctl-ts', 'write', '--progr'])).toEqual(['--progress']);
        expect(bashComplete(ns, ['shmctl-ts', 'read', '--format', ''])).toEqual(['hex', 'raw', 'string']);
        expect(bashComplete(ns, ['shmctl-ts', 'ls', '--time-format', 'i'])).toEqual(['iso']);
        expect(bashComplete(ns, ['shmctl-ts', 'completion', ''])).toEqual(['bash', 'fish', 'zsh']);
        expect(bashComplete(ns, ['shmctl-ts', 'write', '1', '--file', '/etc/passw'])).toContain('/etc/passwd');
        expect(bashComplete(ns, ['shmctl-ts', 'attach', '0', '--', 'unshar'])).toContain('unshare');
        // live values: what exists now in this namespace
        const a = ns.cli(['create', '--key', '0x4242', '--size', '1']).out.trim();
        const b = ns.cli(['create', '--private', '--size', '1']).out.trim();
        ns.cli(['create', '/objname', '--size', '1']);
        expect(bashComplete(ns, ['shmctl-ts', 'stat', ''])).toEqual([a, b, '/objname'].sort());
        expect(bashComplete(ns, ['shmctl-ts', 'rm', '-M', ''])).toEqual(['0x00004242']);
        expect(bashComplete(ns, ['shmctl-ts', 'read', '--posix', ''])).toEqual(['/objname']);
        expect(bashComplete(ns, ['shmctl-ts', 'ls', '--id', ''])).toEqual([a, b].sort());
        ns.cli(['rm', a, b, '/objname']);
        expect(bashComplete(ns, ['shmctl-ts', 'stat', ''])).toEqual([]);
      },
      true,
      { posix: true },
    ));

  (have('zsh') ? test : test.skip)('zsh: the script loads and registers the completion', () => {
    const r = spawnSync('zsh', ['-fc', 'source <(shmctl-ts completion zsh) && print -r -- ${_comps[shmctl-ts]}'], {
      encoding: 'utf8',
      env: { ...process.env, PATH },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/_shmctl_ts/);
  });

  (have('fish') ? test : test.skip)("fish: subcommands, options and live ids through fish's own completer", () =>
    withNamespace((ns) => {
      const id = ns.cli(['create', '--private', '--size', '1']).out.trim();
      const complete = (line: string): string[] =>
        ns
          .run(['fish', '--no-config', '-c', `shmctl-ts completion fish | source; complete -C '${line}'`], {
            env: { PATH, HOME: tmpdir() },
          })
          .out.split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t')[0]!);
      expect(complete('shmctl-ts r')).toEqual(expect.arrayContaining(['read', 'rm']));
      expect(complete('shmctl-ts ls --js')).toEqual(['--json']);
      expect(complete('shmctl-ts read --format ')).toEqual(expect.arrayContaining(['raw', 'hex', 'string']));
      expect(complete('shmctl-ts stat ')).toContain(id);
      ns.cli(['rm', id]);
    }),
  );

  test('an unknown shell is refused', () => {
    const r = spawnSync(BIN, ['completion', 'tcsh'], { encoding: 'utf8' });
    expect(r).toMatchObject({ status: 2, stdout: '', stderr: "shmctl-ts: completion: no completion for 'tcsh': use bash, zsh or fish\n" });
  });
});

describe('progress', () => {
  /** Run a shell command with stderr (and stdout) on a pseudo-terminal; what the terminal showed. */
  const onTTY = (ns: Namespace, cmd: string): string => {
    const r = ns.run(['script', '-qec', cmd, '/dev/null'], { env: { PATH, COLUMNS: '100' } });
    expect(r.status).toBe(0);
    return r.out;
  };
  const bar = /\r\[#+\] 100%  80M\/80M  [\d.]+[BKMGT]\/s  ETA 0:00 *\r?\n/;

  test('a read or write of more than 64 MiB draws a bar on a terminal, and never on a pipe', () =>
    withNamespace(
      (ns) => {
        const id = ns.cli(['create', '--private', '--size', '80M']).out.trim();
        ns.cli(['create', '/p', '--size', '80M']);
        for (const target of [id, '/p']) {
          expect(onTTY(ns, `shmctl-ts read ${target} > /dev/null`)).toMatch(bar);
          expect(onTTY(ns, `head -c 80M /dev/zero > /tmp/in.bin; shmctl-ts write ${target} --file /tmp/in.bin`)).toMatch(bar);
          // a pipe of unknown length: bytes and rate, no percentage
          expect(onTTY(ns, `head -c 80M /dev/zero | shmctl-ts write ${target}`)).toMatch(/\r80M  [\d.]+[BKMGT]\/s  \d+:\d\d *\r?\n/);
          // small copies and --no-progress: nothing
          expect(onTTY(ns, `shmctl-ts read ${target} --length 64M > /dev/null`)).toBe('');
          expect(onTTY(ns, `shmctl-ts read ${target} --no-progress > /dev/null`)).toBe('');
          // stderr a pipe: never, unless --progress insists
          const piped = ns.sh(`shmctl-ts read ${target} > /dev/null`, { env: { PATH } });
          expect(piped).toMatchObject({ status: 0, stderr: '' });
          expect(ns.sh(`shmctl-ts read ${target} --progress > /dev/null`, { env: { PATH } }).stderr).toMatch(bar);
        }
        // the bar never reaches stdout: the bytes read are the bytes
        const r = ns.run(['script', '-qec', `shmctl-ts read ${id} | wc -c`, '/dev/null'], { env: { PATH } });
        expect(r.out).toMatch(/^83886080\r?\n/m);
        ns.cli(['rm', id, '/p']);
      },
      true,
      { posix: true },
    ));
});
