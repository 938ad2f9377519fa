/**
 * The shape of the code, checked: each folder is one layer, and a file
 * imports (statically, or with import()) only from its own layer and the
 * layers below it; no file grows past ~300 lines, and the formatter has
 * nothing to change. Runs as any user. The README's drawing says the same.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../helpers/root.js';

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(join(ROOT, path)).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The modules a file imports, statically or with import(), as paths from the root ("src/model/record.ts"), or package names. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [
    ...[...text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!),
    ...[...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
  ];
  return specs.map((spec) =>
    spec.startsWith('.') ? relative(ROOT, resolve(dirname(join(ROOT, file)), spec)).replace(/\.js$/, '.ts') : spec,
  );
}

/**
 * The layers, lowest first, and what each may import besides itself and
 * node's own modules. A layer's files are those under its folder (or the one
 * file named).
 */
const below = (...layers: string[]): string[] => layers;
const LAYERS: { layer: string; may: string[] }[] = [
  { layer: 'src/model/', may: below() },
  { layer: 'src/kernel/', may: below('src/model/', 'ffi-rs') },
  { layer: 'src/memory/', may: below('src/model/', 'src/kernel/') },
  { layer: 'src/sysv/', may: below('src/model/', 'src/kernel/', 'src/memory/') },
  { layer: 'src/posix/', may: below('src/model/', 'src/kernel/', 'src/memory/') },
  { layer: 'src/ops/', may: below('src/model/', 'src/kernel/', 'src/memory/', 'src/sysv/', 'src/posix/') },
  { layer: 'src/diagnose/', may: below('src/model/', 'src/kernel/', 'src/memory/', 'src/sysv/', 'src/posix/', 'src/ops/') },
  { layer: 'src/api/', may: below('src/model/', 'src/kernel/', 'src/memory/', 'src/sysv/', 'src/posix/', 'src/ops/', 'src/diagnose/') },
  { layer: 'src/index.ts', may: below('src/model/', 'src/api/') },
  { layer: 'commands/render/', may: below('src/model/', 'chalk', 'cli-table3') },
  /** What a command may use below the API: fd I/O, the process, user names, the copy loops. */
  {
    layer: 'commands/options/',
    may: below('src/model/', 'src/api/', ...CLI_TOOLS(), 'commands/render/', 'commander'),
  },
  { layer: 'commands/support/', may: below('src/model/', 'src/api/', ...CLI_TOOLS(), 'commands/render/', 'commands/options/') },
  {
    layer: 'commands/verbs/',
    may: below('src/model/', 'src/api/', ...CLI_TOOLS(), 'commands/render/', 'commands/options/', 'commands/support/'),
  },
  {
    layer: 'commands/cli.ts',
    may: below('src/model/', 'src/api/', 'commands/options/', 'commands/support/', 'commands/verbs/', 'commander'),
  },
  { layer: 'commands/main.ts', may: below('commands/cli.ts') },
];
function CLI_TOOLS(): string[] {
  return ['src/kernel/io.ts', 'src/kernel/process.ts', 'src/kernel/names.ts', 'src/memory/transfer.ts'];
}

const layerOf = (path: string): string | undefined => LAYERS.find(({ layer }) => path === layer || path.startsWith(layer))?.layer;
const all = [...files('src'), ...files('commands')];

test('every source file is in a layer', () => {
  expect(all.filter((f) => layerOf(f) === undefined)).toEqual([]);
});

describe.each(LAYERS)('$layer', ({ layer, may }) => {
  test('imports only itself and the layers it stands on', () => {
    const allowed = (m: string): boolean => m.startsWith('node:') || layerOf(m) === layer || may.some((l) => m === l || m.startsWith(l));
    const broken = all
      .filter((f) => layerOf(f) === layer)
      .flatMap((f) =>
        importsOf(f)
          .filter((m) => !allowed(m))
          .map((m) => `${f} imports ${m}`),
      );
    expect(broken).toEqual([]);
  });
});

test('no import cycle, type-only imports included', () => {
  const graph = new Map(all.map((f) => [f, importsOf(f).filter((m) => m.endsWith('.ts'))]));
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (f: string, path: string[]): void => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      cycles.push([...path.slice(path.indexOf(f)), f].join(' → '));
      return;
    }
    state.set(f, 'open');
    for (const m of graph.get(f) ?? []) visit(m, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of all) visit(f, []);
  expect(cycles).toEqual([]);
});

test("the README's drawing names every layer, and nothing else", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Architecture'));
  const drawing = section.slice(section.indexOf('```\n') + 4, section.indexOf('\n```', section.indexOf('```\n') + 4));
  const drawn = drawing.split('\n').flatMap((line) => /^ ((?:src|commands)\/\S*)/.exec(line)?.[1] ?? []);
  expect(drawn.sort()).toEqual(LAYERS.map((l) => l.layer).sort());
  // each drawn folder is there
  expect(drawn.filter((d) => !existsSync(join(ROOT, d)))).toEqual([]);
});

test('the rule sees dynamic imports too', () => {
  expect(importsOf('commands/support/ls-view.ts')).toContain('commands/render/table.ts');
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
