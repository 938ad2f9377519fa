// Writes V8's code cache for the bundle after running `shmctl-ts ls` with it,
// loaded exactly as bin/shmctl-ts loads it: the cache then holds the code of
// every function a command's start runs, not only the top level, and the next
// start compiles none of it. Run by scripts/bundle.mjs, in an empty IPC
// namespace where it can (the listing reads nothing of anyone's).
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { Script } = require('node:vm');

const file = path.join(__dirname, '..', 'dist', 'shmctl-ts.cjs');
const cache = file.replace(/\.cjs$/, `.${process.arch}-${process.versions.v8}.cache`);
const source = readFileSync(file, 'utf8');
const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
const script = new Script(wrapped, { filename: file });
process.on('exit', () => writeFileSync(cache, script.createCachedData()));
process.argv = [process.argv[0], file, 'ls', '--format', 'ipcs'];
const bundled = { exports: {} };
script.runInThisContext().call(bundled.exports, bundled.exports, require, bundled, file, path.dirname(file));
