// Prints the plain closing line CI reads: "N passed, N failed", then ", N skipped" when tests
// were skipped (a tool-checked test without its tool, see test/helpers/tools.ts).
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites
    const skipped = results.numPendingTests > 0 ? `, ${results.numPendingTests} skipped` : ''
    process.stdout.write(`\n${results.numPassedTests} passed, ${failed} failed${skipped}\n`)
  }
}
module.exports = SummaryReporter
