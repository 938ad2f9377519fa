/**
 * --help and the man page must agree with the subcommands' declarations:
 * every option of every subcommand appears in both.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands } from '../../commands/cli.js';
import { targetOptions } from '../../commands/options/common.js';
import { filterOptions } from '../../commands/options/filters.js';
import { BIN, ROOT } from '../helpers/ns.js';

const manSource = readFileSync(join(ROOT, 'man/shmctl-ts.1'), 'utf8');
// roff to plain words: \- is a hyphen, font escapes go
const man = manSource
  .replace(/\\-/g, '-')
  .replace(/\\f[BIRP]/g, '')
  .replace(/\\\(aq/g, "'");

function manSection(name: string): string {
  const start = man.indexOf(`.SS ${name}\n`);
  expect(start).toBeGreaterThan(0);
  const end = man.slice(start + 4).search(/\n\.S[SH] /);
  return man.slice(start, end < 0 ? undefined : start + 4 + end);
}

function flagsOf(flags: string): string[] {
  return flags.split(/[ ,]+/).filter((f) => f.startsWith('-'));
}

describe.each(commands.map((c) => [c.name, c] as const))('%s', (name, spec) => {
  const help = spawnSync(BIN, [name, '--help'], { encoding: 'utf8' });

  test('--help lists every option', () => {
    expect(help.status).toBe(0);
    for (const o of spec.options) for (const flag of flagsOf(o.flags)) expect(help.stdout).toContain(flag);
  });

  test('the man page documents every option in its section', () => {
    // an option every command shares is documented once, under "Common options"
    for (const o of spec.options) {
      const section = manSection(o.common ? '"Common options"' : name);
      for (const flag of flagsOf(o.flags)) expect(section).toMatch(new RegExp(`${flag}\\b`));
    }
  });

  test('the man page synopsis has the command', () => {
    expect(man).toContain(`.B shmctl-ts ${name}`);
  });
});

test('the man page renders without warnings', () => {
  const r = spawnSync('man', ['--warnings', join(ROOT, 'man/shmctl-ts.1')], {
    encoding: 'utf8',
    env: { ...process.env, MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat' },
  });
  expect(r.status).toBe(0);
  expect(r.stderr).toBe('');
  expect(r.stdout).toContain('DIFFERENCES FROM UTIL-LINUX');
});

test('package.json names the man page and the binary', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  expect(pkg.man).toContain('./man/shmctl-ts.1');
  expect(pkg.bin['shmctl-ts']).toBe('bin/shmctl-ts');
});

/** The man page's SYNOPSIS entry of a command (all its lines, for key's two forms). */
function synopsisOf(name: string): string {
  const synopsis = man.slice(man.indexOf('.SH SYNOPSIS'), man.indexOf('.SH DESCRIPTION'));
  return synopsis
    .split('\n.br\n')
    .filter((block) => new RegExp(`^\\.B shmctl-ts ${name}\\b`).test(block))
    .join('\n');
}

const longFlags = (text: string): string[] => [...new Set([...text.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]))];

test.each(commands.map((c) => [c.name, c] as const))(
  "%s: the man page's synopsis names every option its --help usage line names",
  (name, spec) => {
    const synopsis = synopsisOf(name);
    expect(synopsis).not.toBe('');
    // the synopsis may say TARGET and filters, which the DESCRIPTION spells out, for these groups of options
    const groups: [string, string[]][] = [
      ['TARGET', longFlags(targetOptions.map((o) => o.flags).join(' '))],
      ['filters', longFlags(filterOptions.map((o) => o.flags).join(' '))],
    ];
    const covered = groups.filter(([word]) => synopsis.includes(word)).flatMap(([, flags]) => flags);
    expect(longFlags(spec.usage).filter((f) => !synopsis.includes(f) && !covered.includes(f))).toEqual([]);
  },
);

test('the --ns lists of the man page and the README name exactly the commands that take --ns', () => {
  const takers = commands.filter((c) => c.options.some((o) => o.flags.startsWith('--ns'))).map((c) => c.name);
  expect(takers.length).toBeGreaterThan(10);
  const common = man.slice(man.indexOf('.SS "Common options"'));
  const listed = common.slice(0, common.indexOf('A PID names'));
  expect([...listed.matchAll(/^\.BR (\S+) [,.]$/gm)].map((m) => m[1]).sort()).toEqual([...takers].sort());
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const sentence = /`nsenter -t 4242 --ipc ipcs -m` prints, byte for byte, in every view; ([^.]*) work the same way inside/.exec(readme);
  expect(sentence).not.toBeNull();
  const named = [...sentence![1]!.matchAll(/`(\w+)`/g)].map((m) => m[1]);
  expect([...named, 'ls'].sort()).toEqual([...takers].sort());
});
