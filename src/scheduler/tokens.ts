/**
 * A word cursor over a natural schedule phrase. It keeps each word's column so a phrase that
 * cannot be read is refused with the word, its position and what was expected there.
 */
import { ScheduleParseError } from '../core/errors.js';

/** One word of a phrase and where it starts. */
export interface Token {
  /** The word as typed. */
  text: string;
  /** Lower-cased, for matching. */
  word: string;
  /** 0-based character offset in the phrase. */
  position: number;
}

/** Splits a phrase into words; commas separate like spaces (`monday, friday`). */
export function tokenize(phrase: string): Token[] {
  const out: Token[] = [];
  for (const m of phrase.matchAll(/[^\s,]+/g)) {
    out.push({ text: m[0], word: m[0].toLowerCase(), position: m.index });
  }
  return out;
}

/** Reads words in order; `fail` builds the error that says where and what was expected. */
export class Cursor {
  private i = 0;

  constructor(
    private readonly spec: string,
    private readonly tokens: Token[],
  ) {}

  /** The current word (lower-case), or `undefined` at the end. */
  peek(offset = 0): string | undefined {
    return this.tokens[this.i + offset]?.word;
  }

  /** The current token, or `undefined` at the end. */
  token(): Token | undefined {
    return this.tokens[this.i];
  }

  /** True at the end of the phrase. */
  done(): boolean {
    return this.i >= this.tokens.length;
  }

  /** Consumes and returns the current token; at the end, fails expecting `expected`. */
  next(expected: string): Token {
    const t = this.tokens[this.i];
    if (!t) this.fail(expected);
    this.i++;
    return t;
  }

  /** Consumes the current word when it is one of `words`; returns whether it did. */
  accept(...words: string[]): boolean {
    const w = this.peek();
    if (w !== undefined && words.includes(w)) {
      this.i++;
      return true;
    }
    return false;
  }

  /** Consumes one of `words` or fails expecting them. */
  expect(...words: string[]): void {
    if (!this.accept(...words)) this.fail(words.map((w) => `"${w}"`).join(' or '));
  }

  /** Throws a `ScheduleParseError` at the current word (or at the end of the phrase). */
  fail(expected: string, at: Token | undefined = this.tokens[this.i]): never {
    const index = at ? this.tokens.indexOf(at) : this.tokens.length;
    const where = at
      ? `at word ${index + 1} "${at.text}" (column ${at.position + 1})`
      : `at the end of the phrase (column ${this.spec.length + 1})`;
    throw new ScheduleParseError(`cannot read schedule ${JSON.stringify(this.spec)}: ${where}: expected ${expected}`, {
      spec: this.spec,
      position: at ? at.position : this.spec.length,
      word: at ? at.text : '',
      expected,
    });
  }
}
