import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message, MessageId } from '../protocol/index.js';
import { checkEnvelope, replyableStub } from './envelope-limits.js';

const limits = { maxMsgIdBytes: 128, maxResourceBytes: 1024 };

function message(header: Partial<Message['header']>, route: Message['route']): Message {
  return { header: { msg_id: 'id-1' as MessageId, timestamp: 1, ...header }, route, content: { big: 'x' } };
}

describe('checkEnvelope', () => {
  const cases: { name: string; msg: Message; want: ReturnType<typeof checkEnvelope> }[] = [
    {
      name: 'accepts a real request',
      msg: message({}, { source: 'edged', group: 'meta', operation: 'query', resource: 'default/pod/a' }),
      want: { ok: true },
    },
    {
      name: 'accepts limits exactly',
      msg: message({ msg_id: 'm'.repeat(128) as MessageId }, { resource: 'r'.repeat(1024) }),
      want: { ok: true },
    },
    {
      name: 'refuses a long msg_id and cannot reply (the reply would name it)',
      msg: message({ msg_id: 'm'.repeat(129) as MessageId }, { resource: 'r'.repeat(5000) }),
      want: { ok: false, reason: 'msg_id_too_long', canReply: false },
    },
    {
      name: 'counts UTF-8 bytes, not characters',
      msg: message({ msg_id: 'é'.repeat(65) as MessageId }, {}),
      want: { ok: false, reason: 'msg_id_too_long', canReply: false },
    },
    {
      name: 'refuses a long resource',
      msg: message({}, { resource: 'r'.repeat(1025) }),
      want: { ok: false, reason: 'resource_too_long', canReply: true },
    },
    {
      name: 'refuses any other long envelope string',
      msg: message({ parent_msg_id: 'p'.repeat(1_900_000) as MessageId }, {}),
      want: { ok: false, reason: 'field_too_long', canReply: true },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(checkEnvelope(c.msg, limits), c.want);
    });
  }

  it('builds a reply stub that keeps only the msg_id and timestamp', () => {
    const stub = replyableStub(message({ type: 't' }, { resource: 'r'.repeat(2000), source: 's' }));
    assert.deepEqual(stub, { header: { msg_id: 'id-1', timestamp: 1 }, route: {}, content: null });
  });
});
