import { relative, isAbsolute } from 'node:path';
import { readTextFile } from '@kaged/prompt-watcher';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ProjectConfigError, type ConfigIssue } from '../errors/project-config-error.js';
import { substituteEnvVars } from './env-vars.js';

/** The bound on a project or script file: a real one is a few KB; a bigger one is a mistake or an attack. */
export const MAX_YAML_FILE_BYTES = 1024 * 1024;

/**
 * How many nodes aliases may expand to in one document (the `yaml` package's `maxAliasCount`,
 * whose default this is): ordinary anchors and merges stay far below, a "billion laughs" bomb
 * hits it at once.
 */
export const MAX_YAML_ALIAS_COUNT = 100;

/**
 * How deep collections may nest. A real project is under ten levels; a value nested thousands
 * deep overflows the stack of every recursive walk (the parser's, `toJS`, zod), which used to
 * surface as a bare "Maximum call stack size exceeded".
 */
export const MAX_YAML_DEPTH = 64;

/**
 * A parsed YAML file that can point at its own fields: every error kaged reports about a
 * project names file, line, column and field path.
 */
export class YamlFile {
  readonly path: string;
  readonly displayPath: string;
  readonly document: Document;
  readonly #lines = new LineCounter();

  constructor(path: string, source: string) {
    this.path = path;
    this.displayPath = displayPath(path);
    this.document = parseDocument(source, { lineCounter: this.#lines, prettyErrors: false, uniqueKeys: true });
  }

  /**
   * Reads a YAML file with the rules every kaged file follows: a regular file (never a FIFO or a
   * device, which could hang the read), at most `MAX_YAML_FILE_BYTES`, UTF-8 text. Throws
   * `ProjectConfigError` at `file:1:1`, or at `referencedAt` (the field naming the file) when given.
   */
  static async read(path: string, { what, referencedAt }: { what: string; referencedAt?: ConfigIssue | undefined }): Promise<YamlFile> {
    const read = await readTextFile(path, { maxBytes: MAX_YAML_FILE_BYTES });
    if (!read.ok) {
      const message = read.code === 'ENOENT' && !referencedAt ? `${what} not found` : `cannot read ${what} ${path}: ${read.reason}`;
      throw new ProjectConfigError([referencedAt ? { ...referencedAt, message } : { file: displayPath(path), line: 1, column: 1, path: '', message }]);
    }
    return new YamlFile(path, read.file.text);
  }

  /** YAML syntax errors and collections nested deeper than `MAX_YAML_DEPTH`, positioned; at most one per cause. */
  syntaxIssues(): ConfigIssue[] {
    const tooDeep = `nested more than ${MAX_YAML_DEPTH} levels deep: flatten this value`;
    const issues: ConfigIssue[] = [];
    let overflowed = false;
    for (const error of this.document.errors) {
      const overflow = /maximum call stack/i.test(error.message);
      if (overflow && overflowed) continue;
      overflowed ||= overflow;
      const at = this.#lines.linePos(error.pos[0]);
      issues.push({ file: this.displayPath, line: at.line, column: at.col, path: '', message: overflow ? tooDeep : error.message.split('\n')[0]! });
    }
    if (issues.length > 0) return issues;
    const deep = this.#firstTooDeep();
    if (deep) {
      const at = this.#lines.linePos(deep.node.range?.[0] ?? 0);
      issues.push({ file: this.displayPath, line: at.line, column: at.col, path: formatPath(deep.path.slice(0, 4)), message: tooDeep });
    }
    return issues;
  }

  /**
   * The first collection below `MAX_YAML_DEPTH` levels and the field path that leads to it (its
   * first four keys name the field), found without recursion: the point is not to overflow.
   */
  #firstTooDeep(): { node: Node; path: PropertyKey[] } | undefined {
    const stack: { node: unknown; depth: number; path: PropertyKey[] }[] = [{ node: this.document.contents, depth: 0, path: [] }];
    while (stack.length > 0) {
      const { node, depth, path } = stack.pop()!;
      if (!isMap(node) && !isSeq(node)) continue;
      if (depth >= MAX_YAML_DEPTH) return { node, path };
      node.items.forEach((item, index) => {
        if (isPair(item)) {
          const key = isScalar(item.key) ? String(item.key.value) : undefined;
          stack.push({ node: item.value, depth: depth + 1, path: key === undefined ? path : [...path, key] });
        } else {
          stack.push({ node: item, depth: depth + 1, path: [...path, index] });
        }
      });
    }
    return undefined;
  }

  /** An issue at a field path; falls back to the nearest existing parent when the field is missing. */
  issueAt(path: readonly PropertyKey[], message: string, { atKey = false } = {}): ConfigIssue {
    let node: unknown;
    let keyNode: unknown;
    for (let depth = path.length; depth >= 0; depth--) {
      const parentPath = path.slice(0, depth);
      node = parentPath.length === 0 ? this.document.contents : this.document.getIn(parentPath as unknown[], true);
      if (node !== undefined) {
        if (atKey && depth === path.length && depth > 0) keyNode = this.#keyNode(path.slice(0, -1), path[depth - 1]!);
        break;
      }
    }
    const range = ((keyNode ?? node) as Node | undefined)?.range;
    const at = this.#lines.linePos(range?.[0] ?? 0);
    return { file: this.displayPath, line: at.line, column: at.col, path: formatPath(path), message };
  }

  /** Zod issues mapped to positioned config issues. */
  zodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): ConfigIssue[] {
    return error.issues.map((issue) => {
      const path = [...prefix, ...issue.path];
      // An unknown key is best shown at the key itself.
      if (issue.code === 'unrecognized_keys') {
        const key = issue.keys[0]!;
        return this.issueAt(
          [...path, key],
          `unknown field "${key}"${
            issue.keys.length > 1
              ? ` (and ${issue.keys
                  .slice(1)
                  .map((k) => `"${k}"`)
                  .join(', ')})`
              : ''
          }`,
          { atKey: true },
        );
      }
      return this.issueAt(path, issue.message);
    });
  }

  #keyNode(parentPath: readonly PropertyKey[], key: PropertyKey): unknown {
    const parent = parentPath.length === 0 ? this.document.contents : this.document.getIn(parentPath as unknown[], true);
    if (!isMap(parent)) return undefined;
    return parent.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key;
  }

  /**
   * Replaces `${env:NAME}` in every string value with the environment variable, or with
   * `default` for `${env:NAME:-default}`. Missing variables without a default are reported at
   * the value that names them.
   */
  substituteEnv(env: NodeJS.ProcessEnv): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    visit(this.document, {
      Scalar: (_key, node, path) => {
        if (typeof node.value !== 'string' || !node.value.includes('${')) return;
        const { text, missing } = substituteEnvVars(node.value, env);
        node.value = text;
        for (const name of missing) {
          const at = this.#lines.linePos(node.range?.[0] ?? 0);
          issues.push({
            file: this.displayPath,
            line: at.line,
            column: at.col,
            path: pathOfVisit(path, node),
            message: `environment variable ${name} is not set`,
          });
        }
      },
    });
    return issues;
  }

  /**
   * The document as plain data. Aliases that expand past `MAX_YAML_ALIAS_COUNT` nodes are a
   * positioned `ProjectConfigError` at the first alias, not the `yaml` package's bare ReferenceError.
   */
  toJS(): unknown {
    try {
      return this.document.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
    } catch (error) {
      if (!(error instanceof ReferenceError)) throw error;
      let alias: Node | undefined;
      visit(this.document, {
        Alias: (_key, node) => {
          alias = node;
          return visit.BREAK;
        },
      });
      const at = this.#lines.linePos(alias?.range?.[0] ?? 0);
      const message = /Excessive alias count/.test(error.message)
        ? `YAML aliases expand to more than ${MAX_YAML_ALIAS_COUNT} nodes (an alias bomb?): use fewer aliases or write the values out`
        : error.message;
      throw new ProjectConfigError([{ file: this.displayPath, line: at.line, column: at.col, path: '', message }]);
    }
  }
}

/** Rebuilds the field path of a node from the ancestor chain that `visit` passes. */
function pathOfVisit(ancestors: readonly unknown[], node: unknown): string {
  const path: PropertyKey[] = [];
  let child: unknown = node;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const parent = ancestors[i];
    if (isSeq(parent)) path.unshift(parent.items.indexOf(child as never));
    else if (parent && typeof parent === 'object' && 'key' in parent && 'value' in parent) {
      const pair = parent as { key: unknown; value: unknown };
      if (pair.value === child && isScalar(pair.key)) path.unshift(String(pair.key.value));
    }
    child = parent;
  }
  return formatPath(path);
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`)).join('');
}

function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  return fromCwd && !fromCwd.startsWith('..') && !isAbsolute(fromCwd) ? fromCwd : path;
}
