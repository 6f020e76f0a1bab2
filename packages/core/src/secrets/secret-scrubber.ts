import { CENSOR } from './redact-secret-fields.js';

/** Shorter values would censor ordinary words; real keys and tokens are long. */
export const MIN_SECRET_LENGTH = 8;

// What a credential looks like in text a server or a library wrote, even when its value is not
// known: an `Authorization` scheme with its token (which has a digit or a symbol, so that the
// words "Basic authentication" stay), a key field with its value, an `sk-…`-style key.
const scheme = (minLength: number) => String.raw`(?<scheme>\b(?:Bearer|Basic|bearer|basic))\s+(?=[A-Za-z]*[0-9+/=._~-])[A-Za-z0-9+/=._~-]{${minLength},}`;
const FIELD = String.raw`(?<field>\b(?:api[_-]?key|API[_-]?KEY|x-api-key|X-Api-Key|authorization|Authorization)["']?\s*[:=]\s*["']?)(?!\[redacted\])(?:(?<fieldScheme>Bearer|Basic|bearer|basic)\s+)?[^\s"',;}]+`;
const KEY_LIKE = String.raw`\b(?:sk|pk|rk)-[A-Za-z0-9_*.-]{6,}`;

/**
 * Censors secrets in text: the values it was given (API keys, tokens, passwords) wherever they
 * appear, and anything shaped like a credential. One regular expression, so one pass over the
 * text however many values it knows: the logger runs it on every line. Values can be added
 * while the process runs (a project reload brings new keys).
 */
export interface SecretScrubberOptions {
  /**
   * Keep the scheme of a censored field value: `Authorization: Basic [redacted]` rather than
   * `Authorization: [redacted]`. For one-line messages where the scheme says what failed.
   * Default false.
   */
  keepSchemes?: boolean | undefined;
  /**
   * The shortest token after `Bearer`/`Basic` that is censored. Default 8: in free text shorter
   * ones are mostly words; in an error message from an HTTP client every one is a credential.
   */
  minSchemeTokenLength?: number | undefined;
}

export class SecretScrubber {
  #values: string[] = [];
  #pattern: RegExp;
  readonly #keepSchemes: boolean;
  readonly #schemePattern: string;

  constructor(values: Iterable<string | undefined | null> = [], options: SecretScrubberOptions = {}) {
    this.#keepSchemes = options.keepSchemes === true;
    this.#schemePattern = scheme(Math.max(1, Math.floor(options.minSchemeTokenLength ?? 8)));
    this.#pattern = compile(this.#values, this.#schemePattern);
    this.add(...values);
  }

  /** Adds values to censor; empty, short and known ones are ignored. */
  add(...values: (string | undefined | null)[]): void {
    const fresh = values.filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH && !this.#values.includes(v));
    if (fresh.length === 0) return;
    // Longest first, so that a value containing another is censored whole.
    this.#values = [...new Set([...this.#values, ...fresh])].sort((a, b) => b.length - a.length);
    this.#pattern = compile(this.#values, this.#schemePattern);
  }

  /** Number of values known. */
  get size(): number {
    return this.#values.length;
  }

  /** `text` with every known value and every credential-shaped part replaced by `[redacted]`. */
  scrub(text: string): string {
    return text.replace(this.#pattern, (...args) => {
      const groups = args.at(-1) as { scheme?: string; field?: string; fieldScheme?: string };
      if (groups.scheme !== undefined) return `${groups.scheme} ${CENSOR}`;
      if (groups.field !== undefined)
        return this.#keepSchemes && groups.fieldScheme !== undefined ? `${groups.field}${groups.fieldScheme} ${CENSOR}` : `${groups.field}${CENSOR}`;
      return CENSOR;
    });
  }
}

/** `text` with `values` and credential-shaped parts censored: `SecretScrubber` for one use. */
export function scrubSecrets(text: string, values: Iterable<string | undefined | null> = [], options?: SecretScrubberOptions): string {
  return new SecretScrubber(values, options).scrub(text);
}

function compile(values: readonly string[], schemePattern: string): RegExp {
  const known = values.map(escapeRegExp);
  return new RegExp([...known, schemePattern, FIELD, KEY_LIKE].join('|'), 'g');
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
