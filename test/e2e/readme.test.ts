/**
 * Every ```sh block of the README, run as written (with shmctl-ts on PATH) in
 * a fresh namespace. A block passes when it exits 0 and each `&& echo WORDS`
 * it contains printed its words.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../commands/cli.js';
import { BIN, ROOT, withNamespace } from '../helpers/ns.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);

let bin: string;
beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'shmctl-ts-path-'));
  symlinkSync(BIN, join(bin, 'shmctl-ts'));
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

const jsBlocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);

// The TypeScript examples are compiled and run from the packed package by package.test.ts; the JavaScript ones
// (CommonJS) run here as written.
test.each(jsBlocks.map((b, i) => [i + 1, b] as const))(
  'JavaScript example %d runs as written and prints what its comments say',
  (_n, block) =>
    withNamespace(
      (ns) => {
        // run from the package's own directory, so that `import ... from 'shmctl-ts'` resolves to this package
        const type = /\brequire\(/.test(block) ? 'commonjs' : 'module';
        const r = ns.run(['sh', '-c', `cd ${ROOT} && node --input-type=${type} -e "$0"`, block]);
        if (r.status !== 0) throw new Error(`status ${r.status}\n${r.stderr}`);
        const expected = [...block.matchAll(/console\.log\(.*\/\/ (.*)$/gm)].map((m) => m[1]!.trim());
        expect(
          r.out
            .trim()
            .split('\n')
            .map((l) => l.trim()),
        ).toEqual(expected);
        expect(r.stderr).toBe('');
      },
      true,
      { posix: true },
    ),
);

test('the README has examples for every subcommand', () => {
  for (const name of commands.map((c) => c.name).filter((n) => n !== 'completion')) {
    expect(blocks.some((b) => b.includes(`shmctl-ts ${name}`))).toBe(true);
  }
});

test.each(blocks.map((b, i) => [i + 1, b.split('\n')[0], b] as const))('example %d (%s) runs as written', (_n, _first, block) =>
  // Examples leave segments behind on purpose; the namespace takes them with it.
  withNamespace(
    (ns) => {
      const r = ns.run(['bash', '-euo', 'pipefail', '-c', block], { env: { PATH: `${bin}:${process.env.PATH}` } });
      if (r.status !== 0) throw new Error(`status ${r.status}\n${r.stderr}`);
      for (const m of block.matchAll(/&& echo ([\w ]+)/g)) expect(r.out).toContain(m[1]!.trim());
      for (const m of block.matchAll(/\|\| echo "([\w ]+):/g)) expect(r.out).toContain(m[1]!);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    },
    false,
    { posix: true },
  ),
);
