// Writes V8's code cache for the bundle after running `ls` with it, loaded exactly as bin/shmctl-ts loads it: the
// cache then holds the code of every function a start runs, not only the top level, and a start compiles none of it.
// (The command's exit is caught here and ends only its run.) Run by scripts/bundle.mjs, in an empty IPC namespace of
// its own where it can (the listing reads nothing of anyone's).
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { Script } = require('node:vm');

const file = path.join(__dirname, '..', 'dist', 'shmctl-ts.cjs');
const cache = file.replace(/\.cjs$/, `.${process.arch}-${process.versions.v8}.cache`);
const source = readFileSync(file, 'latin1');
const script = new Script(source, { filename: file });
const main = script.runInThisContext();
const exit = process.exit;

/** One command, to its end (its process.exit); resolves with its exit status. */
function run(args) {
  return new Promise((resolve) => {
    process.exit = (code) => {
      process.removeAllListeners('uncaughtException');
      process.removeAllListeners('unhandledRejection');
      resolve(code ?? 0);
    };
    process.argv = [process.argv[0], file, ...args];
    const bundled = { exports: {} };
    main.call(bundled.exports, bundled.exports, require, bundled, file, path.dirname(file));
  });
}

(async () => {
  // ls alone: a cache made after more commands (create, stat, read, holders, doctor, rm) made every start slower,
  // theirs too (perf stat, 30 runs each: ls 120.3 -> 115.8 ms, doctor 134.0 -> 131.6 ms with ls's alone): a start
  // deserializes the whole cache, and compiling the few functions a command adds costs less than that
  await run(['ls', '--format', 'ipcs']);
  writeFileSync(cache, script.createCachedData());
  exit(0);
})();
