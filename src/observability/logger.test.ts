import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from './logger.js';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('redacts tokens, Secret data and authorization headers passed by mistake', () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'info', destination: stream });
    log.info(
      {
        request: { token: 'jwt-secret-value', headers: { authorization: 'Bearer jwt-secret-value' } },
        secret: { data: { password: 'cGFzc3dvcmQ=' }, stringData: { password: 'hunter2' } },
      },
      'Handled a request',
    );
    const line = lines.join('');
    for (const leaked of ['jwt-secret-value', 'cGFzc3dvcmQ=', 'hunter2'])
      assert.ok(!line.includes(leaked), leaked);
    assert.match(line, /\[redacted\]/);
    assert.match(line, /"msg":"Handled a request"/);
  });

  it('writes nothing below its level', () => {
    const { lines, stream } = capture();
    createLogger({ level: 'warn', destination: stream }).info('Not shown');
    assert.equal(lines.length, 0);
  });
});
