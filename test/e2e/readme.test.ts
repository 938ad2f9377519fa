/**
 * Every ```sh block of the README, run as written (with shmctl-ts on PATH) in
 * a fresh namespace. A block passes when it exits 0 and its whole output
 * (standard output and error, as a terminal would show them) is the ```text
 * block that follows it, where `…` stands for any text within a line (ids,
 * times, pids the machine chooses) and a line `⋮` for any lines (what this
 * machine adds, such as notes on processes it cannot read): every other
 * character of every line is checked.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../commands/cli.js';
import { BIN, ROOT, withNamespace } from '../helpers/ns.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
const examples = [...readme.matchAll(/```sh\n([\s\S]*?)```\n\n```text\n([\s\S]*?)```/g)].map((m) => ({ block: m[1]!, expected: m[2]! }));

/** The expected output as a pattern: `…` any text in a line, a line `⋮` any lines, the rest literal. */
function outputPattern(expected: string): RegExp {
  const lines = expected.split('\n').slice(0, -1);
  const body = lines
    .map((line) =>
      line === '⋮'
        ? '(?:[^\\n]*\\n)*?'
        : line
            .split('…')
            .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('[^\\n]*?') + '\\n',
    )
    .join('');
  return new RegExp(`^${body}$`);
}

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

test('the pattern checks every character but the wildcards', () => {
  const p = outputPattern('id …: held\n⋮\ndone\n');
  expect(['id 5: held\ndone\n', 'id 5: held\nnote\nmore\ndone\n'].map((t) => p.test(t))).toEqual([true, true]);
  expect(['id 5: kept\ndone\n', 'id 5: held\ndone\nextra\n', 'id 5\n: held\ndone\n', 'id 5: held\n'].map((t) => p.test(t))).toEqual([
    false,
    false,
    false,
    false,
  ]);
});

test('every shell example is followed by its output', () => {
  expect(examples.map((e) => e.block)).toEqual(blocks);
});

test.each(examples.map((e, i) => [i + 1, e.block.split('\n')[0], e.block, e.expected] as const))(
  'example %d (%s) runs as written and prints what the README says',
  (_n, _first, block, expected) =>
    // Examples leave segments behind on purpose; the namespace takes them with it.
    withNamespace(
      (ns) => {
        const r = ns.run(['bash', '-c', 'bash -euo pipefail -c "$1" 2>&1', 'bash', block], { env: { PATH: `${bin}:${process.env.PATH}` } });
        if (r.status !== 0) throw new Error(`status ${r.status}\n${r.out}`);
        expect(r.out).toMatch(outputPattern(expected));
        expect(r.out).not.toMatch(/\n\s+at |internal error/);
      },
      false,
      { posix: true },
    ),
);
