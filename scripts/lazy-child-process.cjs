// Stands in for child_process in the CLI bundle (scripts/bundle.mjs): the
// real module, and the net/stream modules it pulls in, load on first use.
'use strict';
let real;
module.exports = new Proxy(
  {},
  {
    get(_, key) {
      real ??= require('node:child_process');
      return real[key];
    },
  },
);
