import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideEnqueue } from './enqueue-rules.js';
import type { EnqueueDecision, EntryState, VersionState } from './enqueue-rules.js';

const put = (rv: bigint): VersionState => ({ isDelete: false, rv });
const del: VersionState = { isDelete: true, rv: undefined };
const state = (partial: Partial<EntryState>): EntryState => ({
  pending: undefined,
  inFlight: undefined,
  ackedRv: undefined,
  ...partial,
});

interface Case {
  readonly name: string;
  readonly state: EntryState | undefined;
  readonly rv: string;
  readonly isDelete?: boolean;
  readonly isResponse?: boolean;
  readonly dropAfterResends?: number;
  readonly key?: string;
  readonly expected: EnqueueDecision['kind'];
}

const cases: Case[] = [
  { name: 'a new object', state: undefined, rv: '5', expected: 'accept' },
  {
    name: 'a newer version than the one waiting',
    state: state({ pending: put(5n) }),
    rv: '6',
    expected: 'accept',
  },
  {
    name: 'an older version than the one waiting',
    state: state({ pending: put(5n) }),
    rv: '4',
    expected: 'dropped-stale',
  },
  {
    name: 'the version already waiting',
    state: state({ pending: put(5n) }),
    rv: '5',
    expected: 'dropped-stale',
  },
  { name: 'the version in flight', state: state({ inFlight: put(5n) }), rv: '5', expected: 'dropped-stale' },
  { name: 'the version ACKed', state: state({ ackedRv: 5n }), rv: '5', expected: 'dropped-stale' },
  { name: 'a version newer than the ACKed one', state: state({ ackedRv: 5n }), rv: '6', expected: 'accept' },
  {
    name: '10 after 9 (numeric, not string, order)',
    state: state({ ackedRv: 9n }),
    rv: '10',
    expected: 'accept',
  },
  {
    name: 'a version older than in flight but newer than ACKed',
    state: state({ inFlight: put(8n), ackedRv: 5n }),
    rv: '7',
    expected: 'dropped-stale',
  },
  {
    name: 'a response at the version already ACKed',
    state: state({ ackedRv: 5n }),
    rv: '5',
    isResponse: true,
    expected: 'accept',
  },
  {
    name: 'a response at the version waiting',
    state: state({ pending: put(5n) }),
    rv: '5',
    isResponse: true,
    expected: 'accept',
  },
  {
    name: 'a response older than the one waiting',
    state: state({ pending: put(5n) }),
    rv: '4',
    isResponse: true,
    expected: 'dropped-stale',
  },
  {
    name: 'an update after a waiting delete (the object is needed again)',
    state: state({ pending: del }),
    rv: '9',
    expected: 'accept',
  },
  {
    name: 'the ACKed version again after a waiting delete: the edge still has it, the delete must not go',
    state: state({ pending: del, ackedRv: 9n }),
    rv: '9',
    expected: 'accept',
  },
  {
    name: 'an older version than the ACKed one after a waiting delete',
    state: state({ pending: del, ackedRv: 9n }),
    rv: '8',
    expected: 'dropped-stale',
  },
  {
    name: 'an update after a delete in flight, even an old version: the edge will have nothing',
    state: state({ inFlight: del, ackedRv: 9n }),
    rv: '3',
    expected: 'accept',
  },
  {
    name: 'a response after a delete in flight',
    state: state({ inFlight: del }),
    rv: '9',
    isResponse: true,
    expected: 'dropped-after-delete',
  },
  {
    name: 'a response after a waiting delete',
    state: state({ pending: del }),
    rv: '9',
    isResponse: true,
    expected: 'dropped-after-delete',
  },
  {
    name: 'a delete over a waiting update',
    state: state({ pending: put(5n) }),
    rv: '1',
    isDelete: true,
    expected: 'accept',
  },
  {
    name: 'a delete while an update is in flight',
    state: state({ inFlight: put(5n) }),
    rv: '',
    isDelete: true,
    expected: 'accept',
  },
  {
    name: 'a delete over a waiting delete',
    state: state({ pending: del, inFlight: put(5n) }),
    rv: '',
    isDelete: true,
    expected: 'accept',
  },
  {
    name: 'a duplicate delete while one is in flight',
    state: state({ inFlight: del }),
    rv: '',
    isDelete: true,
    expected: 'dropped-duplicate-delete',
  },
  {
    name: 'the final delete while a terminating update (a version, not a delete) is in flight',
    state: state({ inFlight: put(8n) }),
    rv: '10',
    isDelete: true,
    expected: 'accept',
  },
  {
    name: 'the final delete over a waiting terminating update while an older one is in flight',
    state: state({ pending: put(9n), inFlight: put(8n) }),
    rv: '10',
    isDelete: true,
    expected: 'accept',
  },
  {
    name: 'a delete with no resourceVersion (orphan delete)',
    state: undefined,
    rv: '',
    isDelete: true,
    expected: 'accept',
  },
  { name: 'a non-delete with no resourceVersion', state: undefined, rv: '', expected: 'dropped-invalid' },
  {
    name: 'a non-delete with a non-numeric resourceVersion',
    state: state({ ackedRv: 1n }),
    rv: 'abc',
    expected: 'dropped-invalid',
  },
  {
    name: 'a negative dropAfterResends',
    state: undefined,
    rv: '1',
    dropAfterResends: -1,
    expected: 'dropped-invalid',
  },
  { name: 'dropAfterResends 0', state: undefined, rv: '1', dropAfterResends: 0, expected: 'accept' },
  { name: 'an empty key', state: undefined, rv: '1', key: '', expected: 'dropped-invalid' },
];

describe('decideEnqueue', () => {
  for (const c of cases) {
    it(`${c.expected === 'accept' ? 'accepts' : c.expected} ${c.name}`, () => {
      const decision = decideEnqueue(c.state, {
        key: c.key ?? 'default/configmap/a',
        resourceVersion: c.rv,
        isDelete: c.isDelete ?? false,
        ...(c.isResponse === undefined ? {} : { isResponse: c.isResponse }),
        ...(c.dropAfterResends === undefined ? {} : { dropAfterResends: c.dropAfterResends }),
      });
      assert.equal(decision.kind, c.expected);
    });
  }

  it('reports the latest version held when dropping as stale', () => {
    const decision = decideEnqueue(state({ pending: put(7n), inFlight: put(6n), ackedRv: 5n }), {
      key: 'k',
      resourceVersion: '6',
      isDelete: false,
    });
    assert.deepEqual(decision, { kind: 'dropped-stale', latest: 7n });
  });
});
