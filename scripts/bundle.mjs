// Bundles the CLI into one CommonJS file, dist/shmctl-ts.cjs, which
// bin/shmctl-ts loads: one file to read and compile instead of ~40 ES modules
// through the ESM loader, which is most of the start-up time a command like
// `ls` has beyond node's own. tsc still emits dist/ for the library and types.
//
// ffi-rs (a native addon) stays outside. chalk and cli-table3 are inside but
// initialised only when a terminal view imports them. child_process, which
// commander requires at start-up but only uses for executable subcommands
// (shmctl-ts has none), is replaced by a stand-in that loads it on first use.
//
// Then V8's code cache for the bundle is written beside it
// (dist/shmctl-ts.<arch>-<V8 version>.cache), after one run of `ls` so that it
// holds every function a start runs, and bin/shmctl-ts skips compiling them. The cache is V8's code for this architecture and this V8:
// its name says which, and bin/shmctl-ts uses only the one made for the node
// that runs it (an x86-64 cache crashes an arm64 node outright).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const lazyChildProcess = `${root}scripts/lazy-child-process.cjs`;
const bundleModule = `${root}scripts/bundle-module.cjs`;

await build({
  absWorkingDir: root,
  entryPoints: ['commands/main.ts'],
  outfile: 'dist/shmctl-ts.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['ffi-rs'],
  banner: { js: "var __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  define: {
    'import.meta.url': '__import_meta_url',
    __SHMCTL_TS_VERSION__: JSON.stringify(JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version),
  },
  // Smaller source, faster to scan at every start (errors never show stacks).
  minify: true,
  // every character outside ASCII escaped, so that bin/shmctl-ts may read the file as latin1 (no UTF-8 decoding)
  charset: 'ascii',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [
    {
      name: 'lazy-child-process',
      setup(b) {
        // commander only: it require()s the module and reads spawn off it when
        // it needs it; our own code loads child_process itself, when it runs a child.
        b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
          /node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: lazyChildProcess } : undefined,
        );
        // our own code's createRequire(import.meta.url): the bundle's require
        b.onResolve({ filter: /^(node:)?module$/ }, (args) =>
          /[\\/](src|commands)[\\/]/.test(args.importer) ? { path: bundleModule } : undefined,
        );
      },
    },
  ],
});

// Written as the function bin/shmctl-ts calls (the wrapper CommonJS would put around it): a start compiles the file's
// text as it is read, instead of first copying 300 KB into a wrapped string (~1 ms of fresh memory on a slow VM).
const cli = `${root}dist/shmctl-ts.cjs`;
writeFileSync(cli, `(function (exports, require, module, __filename, __dirname) {${readFileSync(cli, 'latin1')}\n})`, 'latin1');

// The library for CommonJS callers (require('shmctl-ts')): the same code as dist/src/ (which ES modules import), one
// file, its dependencies left to require(); and its declarations, the same as dist/src/'s, in a folder that says
// CommonJS (dist/cjs/package.json), so that TypeScript reads them as such.
await build({
  absWorkingDir: root,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/cjs/index.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  banner: { js: "var __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__import_meta_url' },
  legalComments: 'none',
  logLevel: 'warning',
});
writeFileSync(`${root}dist/cjs/package.json`, '{ "type": "commonjs" }\n');
cpSync(`${root}dist/src`, `${root}dist/cjs/src`, { recursive: true, filter: (p) => !/\.js$/.test(p) });

// The cache, made after a run of `ls` (scripts/warm-cache.cjs): in an empty
// IPC namespace of its own where the kernel lets us make one, else here
// (reading the list changes nothing). Without a cache bin/shmctl-ts still
// runs, only compiling more at each start.
const warm = [process.execPath, `${root}scripts/warm-cache.cjs`];
const isolated = process.getuid() === 0 ? ['unshare', '--ipc', ...warm] : ['unshare', '--user', '--map-root-user', '--ipc', ...warm];
let made = spawnSync(isolated[0], isolated.slice(1), { stdio: 'ignore' }).status === 0;
if (!made) made = spawnSync(warm[0], warm.slice(1), { stdio: 'ignore' }).status === 0;
if (!made) console.warn('bundle: no V8 code cache was made (bin/shmctl-ts compiles the bundle at each start)');
