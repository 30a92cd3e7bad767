import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { errorCatalogue } from './codes.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
// Rows look like "| `EC_X` | meaning |"; prettier may pad the cells, so split and trim.
const documented = new Map(
  doc
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .filter((cells) => /^`EC_[A-Z_]+`$/.test(cells[1] ?? ''))
    .map((cells) => [(cells[1] ?? '').slice(1, -1), cells[2] ?? '']),
);

describe('error catalogue', () => {
  it('documents every code in docs/errors.md with its meaning', () => {
    for (const [code, meaning] of Object.entries(errorCatalogue)) {
      assert.equal(documented.get(code), meaning, `docs/errors.md row for ${code}`);
    }
  });

  it('documents no code that the source does not define', () => {
    for (const code of documented.keys())
      assert.ok(code in errorCatalogue, `${code} is not in src/errors/codes.ts`);
  });

  it('names every code EC_<AREA>_<WHAT>', () => {
    for (const code of Object.keys(errorCatalogue)) assert.match(code, /^EC_[A-Z]+(_[A-Z]+)+$/);
  });
});
