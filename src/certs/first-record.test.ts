import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFirstRecordComplete } from './handshake-guard-worker.js';

describe('isFirstRecordComplete (a connection takes a handshake slot only with its ClientHello in)', () => {
  const record = (length: number, have: number): Buffer => {
    const head = Buffer.from([0x16, 0x03, 0x01, (length >> 8) & 0xff, length & 0xff]);
    return Buffer.concat([head, Buffer.alloc(have)]);
  };

  it('waits for the whole first handshake record', () => {
    assert.equal(isFirstRecordComplete(Buffer.alloc(0)), false, 'nothing sent (an idle attacker)');
    assert.equal(isFirstRecordComplete(Buffer.from([0x16, 0x03])), false, 'a partial header');
    assert.equal(isFirstRecordComplete(record(512, 0)), false, 'a header announcing 512 bytes (a trickle)');
    assert.equal(isFirstRecordComplete(record(512, 511)), false);
    assert.equal(isFirstRecordComplete(record(512, 512)), true);
    assert.equal(isFirstRecordComplete(record(512, 600)), true, 'more than the record: the next one began');
  });

  it('lets TLS refuse at once what is not a TLS handshake, or a record longer than TLS allows', () => {
    assert.equal(isFirstRecordComplete(Buffer.from('GET / HTTP/1.1\r\n')), true);
    assert.equal(isFirstRecordComplete(record(30_000, 0)), true);
  });
});
