/**
 * The newcomer's library: the package as `npm pack` makes it, installed in a
 * fresh project of its own (an ES module project and a CommonJS one), the
 * README's TypeScript examples compiled there with `tsc --strict` (module
 * nodenext) and run, printing what their comments say; the CommonJS example
 * type-checked as JavaScript (checkJs) and run. Nothing of this checkout is
 * reachable from the projects but the packed files: the packages it depends
 * on are linked from this checkout's node_modules (no registry needed).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, withNamespace } from '../helpers/ns.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const tsBlocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const cjsBlocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /\brequire\(/.test(b));

let work: string;
let packed: string;

/** A fresh project: the tarball unpacked as node_modules/shmctl-ts, its dependencies (and tsc, @types/node) linked. */
function project(name: string, type: 'module' | 'commonjs', tsconfig: object): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'node_modules/shmctl-ts'), { recursive: true });
  const untar = spawnSync('tar', ['-xzf', packed, '-C', join(dir, 'node_modules/shmctl-ts'), '--strip-components=1'], { encoding: 'utf8' });
  expect(untar.stderr).toBe('');
  for (const dep of readdirSync(join(ROOT, 'node_modules'))) {
    if (dep === '.bin' || dep === 'shmctl-ts' || dep.startsWith('.')) continue;
    symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep));
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  return dir;
}

const strict = { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], skipLibCheck: false };

function tsc(dir: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

const expectedOutput = (block: string): string[] => [...block.matchAll(/console\.log\(.*\/\/ (.*)$/gm)].map((m) => m[1]!.trim());

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'shmctl-ts-package-'));
  const r = spawnSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status).toBe(0);
  packed = join(work, r.stdout.trim().split('\n').pop()!);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the packed package has what the README links and a licence, and no tests or sources', () => {
  const list = spawnSync('tar', ['-tzf', packed], { encoding: 'utf8' }).stdout.split('\n');
  for (const f of [
    'package/LICENSE',
    'package/docs/ERRORS.md',
    'package/man/shmctl-ts.1',
    'package/dist/cjs/index.js',
    'package/dist/src/index.d.ts',
  ])
    expect(list).toContain(f);
  expect(list.filter((f) => /^package\/(test|src|commands)\//.test(f))).toEqual([]);
});

test('npm install -g --ignore-scripts of the built checkout is quiet and puts the command and its man page in place', () => {
  const prefix = join(work, 'global');
  const r = spawnSync('npm', ['install', '-g', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', prefix, ROOT], {
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  expect(spawnSync(join(prefix, 'bin/shmctl-ts'), ['--version'], { encoding: 'utf8' }).stdout).toBe(`${version}\n`);
  expect(readdirSync(join(prefix, 'share/man/man1'))).toContain('shmctl-ts.1');
}, 120_000);

test('the TypeScript examples compile with tsc --strict in a fresh ES module project, and run as their comments say', async () => {
  expect(tsBlocks.length).toBeGreaterThanOrEqual(2);
  const dir = project('esm-app', 'module', { compilerOptions: { ...strict, outDir: 'out' }, include: ['*.ts'] });
  tsBlocks.forEach((block, i) => writeFileSync(join(dir, `example${i + 1}.ts`), block));
  const compiled = tsc(dir);
  expect(compiled.out).toBe('');
  expect(compiled.status).toBe(0);
  for (const [i, block] of tsBlocks.entries())
    await withNamespace(
      (ns) => {
        const r = ns.run(['node', join(dir, 'out', `example${i + 1}.js`)]);
        expect(r.stderr).toBe('');
        expect(r.out.trim().split('\n')).toEqual(expectedOutput(block));
      },
      true,
      { posix: true },
    );
}, 120_000);

test('using and await using let go of an attachment, a region and a lock however their block ends (compiled by tsc, run by node)', () => {
  const dir = project('esm-dispose', 'module', { compilerOptions: { ...strict, outDir: 'out' }, include: ['*.ts'] });
  writeFileSync(
    join(dir, 'dispose.ts'),
    `import { LockTimeout, Shm } from 'shmctl-ts';
for (const shm of [Shm.create({ private: true, size: 4096 }), Shm.create({ name: '/disposed', size: 4096 })]) {
  let kept: { attached: boolean } | null = null;
  try {
    using m = shm.attach();
    kept = m;
    m.buffer.write('inside');
    throw new Error('the block fails');
  } catch (e) {
    console.log(shm.kind, (e as Error).message, kept!.attached, shm.isSysv() ? shm.stat().nattch : '-', shm.read(0, 6).toString());
  }
  {
    using r = shm.region();
    console.log(r.size);
  }
  try {
    await using held = await shm.lock();
    await shm.lock({ timeoutMs: 0 }).catch((e) => console.log(held.mode, e instanceof LockTimeout));
    throw new Error('the lock block fails');
  } catch (e) {
    const again = await shm.lock({ timeoutMs: 0 }); // released when the block ended
    console.log((e as Error).message, again.mode);
    again.release();
  }
  shm.remove();
}
`,
  );
  const compiled = tsc(dir);
  expect(compiled.out).toBe('');
  return withNamespace(
    (ns) => {
      const r = ns.run(['node', join(dir, 'out/dispose.js')]);
      expect(r.stderr).toBe('');
      expect(r.out).toBe(
        ['sysv the block fails false 0 inside', '4096', 'exclusive true', 'the lock block fails exclusive']
          .concat(['posix the block fails false - inside', '4096', 'exclusive true', 'the lock block fails exclusive'])
          .join('\n') + '\n',
      );
    },
    true,
    { posix: true },
  );
});

test('a type error is caught: stat() of a POSIX object has no nattch, list() of segments has no name', () => {
  const dir = project('esm-wrong', 'module', { compilerOptions: { ...strict, noEmit: true }, include: ['*.ts'] });
  writeFileSync(
    join(dir, 'wrong.ts'),
    "import { list, Shm } from 'shmctl-ts';\nconsole.log(Shm.create({ name: '/x', size: 1 }).stat().nattch);\nconsole.log(list().map((s) => s.name));\n",
  );
  const r = tsc(dir);
  expect(r.status).not.toBe(0);
  expect(r.out).toMatch(/Property 'nattch' does not exist on type 'PosixRecord'/);
  expect(r.out).toMatch(/Property 'name' does not exist on type 'SegmentRecord'/);
});

test('the CommonJS example type-checks (checkJs, strict) in a fresh CommonJS project and runs as its comments say', () => {
  expect(cjsBlocks.length).toBeGreaterThanOrEqual(1);
  const dir = project('cjs-app', 'commonjs', {
    compilerOptions: { ...strict, allowJs: true, checkJs: true, noEmit: true },
    include: ['*.js'],
  });
  cjsBlocks.forEach((block, i) => writeFileSync(join(dir, `example${i + 1}.js`), block));
  const checked = tsc(dir);
  expect(checked.out).toBe('');
  expect(checked.status).toBe(0);
  return withNamespace((ns) => {
    for (const [i, block] of cjsBlocks.entries()) {
      const r = ns.run(['node', join(dir, `example${i + 1}.js`)]);
      expect(r.stderr).toBe('');
      expect(r.out.trim().split('\n')).toEqual(expectedOutput(block));
    }
  });
});
