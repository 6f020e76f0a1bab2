// Flag parsing shared by the benchmarks: a bad flag is a usage error (exit 2) naming the script.

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
  return { usageError, positiveInt, nonNegativeInt };
}
