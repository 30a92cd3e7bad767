import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newMessageId, parseMessageId } from './message-id.js';

describe('newMessageId', () => {
  it('makes a lowercase UUIDv4, the format beehive gives msg_id', () => {
    assert.match(newMessageId(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('never repeats an id that is still un-ACKed in a window of many sends', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newMessageId()));
    assert.equal(ids.size, 10_000);
  });

  it('makes ids that parseMessageId accepts unchanged', () => {
    const id = newMessageId();
    assert.equal(parseMessageId(id), id);
  });
});

describe('parseMessageId', () => {
  const table: [unknown, string | undefined][] = [
    ['6f1c-uuid', '6f1c-uuid'],
    ['', undefined],
    [undefined, undefined],
    [null, undefined],
    [42, undefined],
    [{}, undefined],
  ];
  for (const [input, expected] of table) {
    it(`maps ${input === undefined ? 'undefined' : JSON.stringify(input)} to ${expected ?? 'undefined'}`, () => {
      assert.equal(parseMessageId(input), expected);
    });
  }
});
