import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value that refuses to be printed: JSON.stringify, template strings, console.log and
 * util.inspect all show "[redacted]". Only `reveal()` gives the value, at the point of use.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  get empty(): boolean {
    return this.#value.length === 0;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
