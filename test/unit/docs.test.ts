/**
 * --help and the man page must agree with the subcommands' declarations:
 * every option of every subcommand appears in both.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands } from '../../commands/cli.js';
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
