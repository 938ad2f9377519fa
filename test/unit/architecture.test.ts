/**
 * The shape of the code, checked: imports go one way (kernel → System V |
 * POSIX → API → CLI; renderers see only the data model), no file grows past
 * ~300 lines, and the formatter has nothing to change. Runs as any user.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../helpers/root.js';

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(join(ROOT, path)).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The modules a file imports, as paths from the root ("src/model/record.ts"), or package names. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)].map(([, spec]) =>
    spec!.startsWith('.') ? relative(ROOT, resolve(dirname(join(ROOT, file)), spec!)).replace(/\.js$/, '.ts') : spec!,
  );
}

/** Each rule: the files it is about, and what they may import. */
const rules: { name: string; files: (f: string) => boolean; may: (m: string) => boolean }[] = [
  {
    name: 'the data model is a leaf',
    files: (f) => f.startsWith('src/model/'),
    may: (m) => m.startsWith('node:') || m.startsWith('src/model/'),
  },
  {
    name: 'the kernel layer knows only itself, the model and ffi-rs',
    files: (f) => f.startsWith('src/kernel/'),
    may: (m) => m.startsWith('node:') || m === 'ffi-rs' || m.startsWith('src/model/') || m.startsWith('src/kernel/'),
  },
  {
    name: 'System V and POSIX do not know each other, the API or the CLI',
    files: (f) => f.startsWith('src/sysv/') || f.startsWith('src/posix/'),
    may: (m) => !m.startsWith('commands/') && m !== 'src/api.ts' && (m.startsWith('node:') || m.startsWith('src/')),
  },
  {
    name: 'renderers depend only on the data model',
    files: (f) => f.startsWith('commands/render/'),
    may: (m) =>
      m.startsWith('node:') || m === 'chalk' || m === 'cli-table3' || m.startsWith('src/model/') || m.startsWith('commands/render/'),
  },
  {
    name: 'commands go through the API (and the model, fd I/O, the process, user names, the copy loops)',
    files: (f) => f.startsWith('commands/') && !f.startsWith('commands/render/'),
    may: (m) =>
      !m.startsWith('src/') ||
      ['src/api.ts', 'src/kernel/io.ts', 'src/kernel/process.ts', 'src/names.ts', 'src/transfer.ts'].includes(m) ||
      m.startsWith('src/model/'),
  },
  {
    name: 'the library never imports the CLI',
    files: (f) => f.startsWith('src/'),
    may: (m) => !m.startsWith('commands/'),
  },
];

const all = [...files('src'), ...files('commands')];

describe.each(rules)('$name', ({ files: about, may }) => {
  test('no import breaks the rule', () => {
    const broken = all.filter(about).flatMap((f) =>
      importsOf(f)
        .filter((m) => !may(m))
        .map((m) => `${f} imports ${m}`),
    );
    expect(broken).toEqual([]);
  });
});

test('System V and POSIX implementations do not import each other', () => {
  const crossing = all.flatMap((f) =>
    importsOf(f)
      .filter((m) => (f.startsWith('src/sysv/') && m.startsWith('src/posix/')) || (f.startsWith('src/posix/') && m.startsWith('src/sysv/')))
      .map((m) => `${f} imports ${m}`),
  );
  expect(crossing).toEqual([]);
});

test('no source file is over 300 lines', () => {
  const long = all.map((f) => [f, readFileSync(join(ROOT, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > 300);
  expect(long).toEqual([]);
});

test('the formatter (prettier) has nothing to change', () => {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/prettier/bin/prettier.cjs'), '--check', 'src', 'commands', 'test', 'bench', 'scripts', 'jest.config.js'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  expect([r.status, r.stdout.split('\n').filter((l) => l.startsWith('[warn]'))]).toEqual([0, []]);
});
