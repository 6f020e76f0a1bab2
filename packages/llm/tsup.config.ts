import { defineConfig } from 'tsup';

export default defineConfig({
  // `testing` is its own entry (`@kaged/llm/testing`): loopback model servers for tests, never
  // loaded by the main entry.
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
});
