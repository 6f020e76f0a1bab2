// Flag parsing shared by the benchmarks: a bad flag is a usage error (exit 2) naming the script.

import { parseArgs } from 'node:util';

/** Validators for numeric flags of one script, and its usage-error exit. */
export function flagHelpers(script) {
  function usageError(message) {
    process.stderr.write(`${script}: ${message}\n`);
    process.exit(2);
  }
  function positiveInt(name, raw) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) usageError(`--${name} must be a positive integer (got "${raw}")`);
    return n;
  }
  function nonNegativeInt(name, raw) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) usageError(`--${name} must be a non-negative integer (got "${raw}")`);
    return n;
  }
  /**
   * The script's flags (`node:util` parseArgs options, strict), from `process.argv`: a bad flag
   * is a usage error, `--help` prints `help` and exits 0. A leading `--` (from `pnpm run x --`)
   * is dropped.
   */
  function parseFlags(options, help) {
    const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));
    let values;
    try {
      ({ values } = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h', default: false } }, strict: true }));
    } catch (error) {
      usageError(`${error.message} (try --help)`);
    }
    if (values.help) {
      process.stdout.write(help);
      process.exit(0);
    }
    return values;
  }
  return { usageError, positiveInt, nonNegativeInt, parseFlags };
}
