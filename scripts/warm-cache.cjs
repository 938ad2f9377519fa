// Writes V8's code cache for the bundle after running the commands people start most often with it, loaded exactly as
// bin/shmctl-ts loads it: the cache then holds the code of every function those starts run, not only the top level,
// and a start compiles none of it. The bundle's body runs once per command (a CLI's whole life: its exit is caught
// here and ends that run only). Run by scripts/bundle.mjs, in an empty IPC namespace where it can, and then the
// commands make, look at and remove one segment of their own there; elsewhere only `ls` runs (it changes nothing).
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
  await run(['ls', '--format', 'ipcs']);
  if (process.env.SHMCTL_TS_WARM_ALL === '1') {
    // a key of its own, in this empty namespace: nothing of anyone's is touched
    const key = '0x5eed0001';
    if ((await run(['create', '--key', key, '--size', '4096', '--excl'])) === 0) {
      for (const args of [['stat', '--key', key], ['read', '--key', key, '--length', '1'], ['holders', '--key', key], ['doctor']])
        await run(args);
      await run(['rm', '--key', key]);
    }
  }
  writeFileSync(cache, script.createCachedData());
  exit(0);
})();
