/** The value reported instead of a label value past the limit. */
export const OVERFLOW_LABEL = 'other';

/**
 * A label whose values come from the project (agent ids, model ids, tool names) or from a closed
 * set of codes: bounded in practice, but a bug or an odd provider must not be able to grow the
 * series without end. The first `max` distinct values are kept; later ones become `other`.
 */
export class BoundedLabel {
  readonly #seen = new Set<string>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  of(value: string): string {
    if (this.#seen.has(value)) return value;
    if (this.#seen.size >= this.#max) return OVERFLOW_LABEL;
    this.#seen.add(value);
    return value;
  }
}
