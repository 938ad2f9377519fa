// Stands in for node:module in the CLI bundle (scripts/bundle.mjs): createRequire is all our code asks of it, and
// the bundle's own require (bin/shmctl-ts's, a CommonJS file's, resolving from the same package) answers for it
// without loading the module at every start.
'use strict';
exports.createRequire = () => require;
