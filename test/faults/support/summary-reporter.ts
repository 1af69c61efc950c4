import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints exactly one line, `faults: N passed, N failed`, once, after every fault file has finished.
 * A file that fails outside a test (a beforeAll/afterAll hook, an import, an unhandled error) counts as one failure,
 * so a broken harness can never print "0 failed".
 */
export default class FaultSummaryReporter implements Reporter {
  private printed = false;

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    if (this.printed) return;
    this.printed = true;
    let passed = 0;
    let failed = 0;
    for (const mod of testModules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
      }
      // Hook or collection errors that left no failed test behind.
      const moduleBroken = mod.errors().length > 0 || mod.state() === 'failed';
      for (const suite of mod.children.allSuites()) if (suite.errors().length > 0 && failedHere === 0) failedHere = 1;
      if (moduleBroken && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    if (unhandledErrors.length > 0 && failed === 0) failed = 1;
    process.stdout.write(`\nfaults: ${passed} passed, ${failed} failed\n`);
  }
}
