import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One vitest run over the whole repo (`npm test` -> scripts/setup.sh -> `pnpm run test:run`).
// Tests import workspace packages through their built dist/ (package exports), so
// `test:run` builds with turbo first.
//
// Besides the usual console output, results are written as JSON to .ci/vitest-report.json
// (gitignored); .ci/run reads it to print the "N passed, N failed" line for CI.
const jsonReport = fileURLToPath(new URL('./.ci/vitest-report.json', import.meta.url));

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.tools/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', ...(process.env.GITHUB_ACTIONS === 'true' ? (['github-actions'] as const) : []), ['json', { outputFile: jsonReport }]],
  },
});
