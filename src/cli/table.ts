/**
 * Plain-text tables for the commands that print one (`nodes`, `config print`): columns padded to their
 * widest cell, two spaces apart, no trailing spaces.
 * @module
 */

/** Renders `rows` (the first is the header) as aligned columns, one line each, ending in a newline. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
