/**
 * Argument parsers of the commands. The parsing itself is config/values.ts (one implementation, shared
 * with the run settings); here a failure becomes commander's InvalidArgumentError, which commander
 * reports with the flag, or the variable, that carried the value. A plain Error would escape without it.
 * @module
 */
import { InvalidArgumentError } from 'commander';
import { parsePort as port, parsePositive as positive } from '../config/index.js';

/** Wraps a parser so that its failure names the flag or variable (commander adds the name). */
export function commanderParser<T, P>(
  parse: (text: string, previous: P) => T,
): (text: string, previous: P) => T {
  return (text, previous) => {
    try {
      return parse(text, previous);
    } catch (err) {
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
    }
  };
}

/** A TCP port, 0-65535 (0: pick a free one). */
export const parsePort = commanderParser(port);

/** A number greater than zero. */
export const parsePositive = commanderParser(positive);
