import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // Tests spawn the real bin and fake servers; two workers match the 2-core machines we run on.
    maxWorkers: 2,
    // Under CI a JSON report as well, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env['CI'] ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
