import { readFile, writeFile } from 'node:fs/promises';
import { tokenizer } from 'acorn';

/** Any UTF-16 code unit above 0x7f, surrogates included. */
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Makes the CLI bundle pure ASCII. V8 keeps an ASCII source as a one-byte string, half the
 * memory of the two-byte string one non-ASCII character forces on the whole 16 MB file, and
 * the launcher (src/launcher/cli-launcher.ts) then reads it as latin1, which decodes nothing:
 * ~18 ms instead of ~67 ms for UTF-8 on this machine kind.
 *
 * esbuild's default `charset: 'ascii'` escapes strings, templates and identifiers, but leaves
 * regular-expression literals as written (Mastra's token estimator has `/[äöüßẞ]/i`, its
 * observational memory matches emoji). Here each non-ASCII code unit in a regex literal becomes
 * `\uXXXX`, which means the same with and without the `u` flag (a surrogate pair written as
 * two escapes is one code point under `u`), and comments are escaped the same way. Anything
 * else that is not ASCII (a tagged template's raw text cannot be escaped) fails the build with
 * its position, like the other build checks: noticed, not silently slower.
 */
export function asciiOnly(source: string): string {
  if (isAscii(source)) return source;
  const edits: { start: number; end: number }[] = [];
  const tokens = tokenizer(source, {
    ecmaVersion: 'latest',
    sourceType: 'script',
    allowHashBang: true,
    allowReturnOutsideFunction: true,
    onComment: (_block, _text, start, end) => {
      if (!isAscii(source.slice(start, end))) edits.push({ start, end });
    },
  });
  for (const token of tokens) {
    if (token.type.label === 'regexp' && !isAscii(source.slice(token.start, token.end))) edits.push({ start: token.start, end: token.end });
  }
  edits.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const { start, end } of edits) {
    out += source.slice(at, start) + escapeNonAscii(source.slice(start, end));
    at = end;
  }
  out += source.slice(at);
  const left = NON_ASCII.exec(out);
  if (left) {
    const line = out.slice(0, left.index).split('\n').length;
    throw new Error(
      `the CLI bundle has a non-ASCII character outside regular expressions and comments (line ${line}: …${out.slice(Math.max(0, left.index - 60), left.index + 20)}…): ` +
        'escape it in the source or teach apps/daemon/scripts/ascii-bundle.ts about it',
    );
  }
  return out;
}

/** Each code unit above 0x7f as `\uXXXX`; an identity escape (`\ä`) loses its backslash, since `\u00e4` already means `ä`. */
export function escapeNonAscii(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x7f) {
      out += text[i];
      continue;
    }
    let slashes = 0;
    for (let j = out.length - 1; j >= 0 && out[j] === '\\'; j--) slashes++;
    if (slashes % 2 === 1) out = out.slice(0, -1);
    out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return out;
}

function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/** Rewrites `file` in place (tsup's onSuccess for the CLI bundle). */
export async function asciiBundle(file: string): Promise<void> {
  const source = await readFile(file, 'utf8');
  const ascii = asciiOnly(source);
  if (ascii !== source) await writeFile(file, ascii);
}
