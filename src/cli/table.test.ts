import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTable } from './table.js';

describe('renderTable', () => {
  it('pads each column to its widest cell, two spaces apart, with no trailing spaces', () => {
    const text = renderTable([
      ['NODE', 'STATE', 'QUEUE'],
      ['edge-long-name', 'up', '3'],
      ['e2', 'disconnected', ''],
    ]);
    assert.equal(
      text,
      [
        'NODE            STATE         QUEUE',
        'edge-long-name  up            3',
        'e2              disconnected',
      ].join('\n') + '\n',
    );
  });
});
