/**
 * Parsers of setting values given as text (a flag or its environment variable): each returns the value
 * or throws an Error whose message names what was expected (commander shows it after the flag or
 * variable name). Pure.
 * @module
 */

/** A TCP port, 0-65535 (0: pick a free one). */
export function parsePort(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`not a port: ${value}`);
  return n;
}

/** A number greater than zero. */
export function parsePositive(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new Error(`not a positive number: ${value}`);
  return n;
}

/** A whole number greater than zero. */
export function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n <= 0)
    throw new Error(`not a positive whole number: ${value}`);
  return n;
}

/** `host:port` (the port after the last colon), returned as given. */
export function parseHostPort(value: string): string {
  splitHostPort(value);
  return value;
}

/** Splits `host:port` at the last colon; throws naming the expected form. */
export function splitHostPort(value: string): [host: string, port: number] {
  const i = value.lastIndexOf(':');
  if (i <= 0) throw new Error(`not host:port: ${value}`);
  return [value.slice(0, i), parsePort(value.slice(i + 1))];
}

/**
 * One more item of a repeatable setting; a comma-separated value adds several (`a,b`), so one environment
 * variable can carry a list, as Kubernetes' string-slice flags do.
 */
export function parseListItem(value: string, previous: readonly string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ];
}

/** `true`/`false` (also `1`/`0`, any case), or undefined for anything else. */
export function parseBoolean(value: string): boolean | undefined {
  switch (value.trim().toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      return undefined;
  }
}
