// A jest reporter that writes the run's counts to the file named by
// SHMCTL_TS_COUNTS (test/run.mjs reads them to print the closing line), in
// place of jest's --json --outputFile, which announces its file on the console.
'use strict';
const { writeFileSync } = require('node:fs');

class CountReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.SHMCTL_TS_COUNTS;
    if (!file) return;
    writeFileSync(
      file,
      JSON.stringify({
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
      }),
    );
  }
}
module.exports = CountReporter;
