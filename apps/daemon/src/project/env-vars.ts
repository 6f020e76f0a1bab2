/**
 * Replaces `${env:NAME}` with the variable's value, or with `default` for
 * `${env:NAME:-default}`, and names the variables that had neither. The one reading of the
 * syntax, for the project loader and for commands that read the project file themselves.
 */
export function substituteEnvVars(text: string, env: Record<string, string | undefined>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const result = text.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_whole, name: string, fallback: string | undefined) => {
    const value = env[name] ?? fallback;
    if (value !== undefined) return value;
    missing.push(name);
    return '';
  });
  return { text: result, missing };
}
