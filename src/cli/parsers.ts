/**
 * Argument parsers shared by the commands: they turn a flag's text into a value or throw a message that
 * names what was expected (commander shows it).
 * @module
 */

/** A TCP port, 0-65535 (0: pick a free one). */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port: ${value}`);
  return n;
}

/** A number greater than zero. */
export function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`not a positive number: ${value}`);
  return n;
}
