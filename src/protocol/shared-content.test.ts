import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { objectPush, pushContentDefaults } from './object-push.js';
import { realisticObject, realisticPod } from '../../test/support/builders.js';

describe('sharedContent (through objectPush)', () => {
  it('gives every push of one ConfigMap or Secret version the same content object, so it is serialized once', () => {
    for (const kind of ['ConfigMap', 'Secret'] as const) {
      const object = realisticObject(kind, 'shared', 'uid-1', '7');
      // A pod added on one node (insert), a repair on another (update): one content object.
      const first = objectPush(kind, 'insert', object, pushContentDefaults);
      const repaired = objectPush(kind, 'update', object, pushContentDefaults);
      assert.equal(repaired.content, first.content, kind);
      assert.notEqual(first.content, object, 'a prepared copy, never the store object');
    }
  });

  it('prepares a new version, and other content options, afresh', () => {
    const v7 = realisticObject('ConfigMap', 'shared', 'uid-1', '7');
    const v8 = realisticObject('ConfigMap', 'shared', 'uid-1', '8');
    const a = objectPush('ConfigMap', 'update', v7, pushContentDefaults).content;
    assert.notEqual(objectPush('ConfigMap', 'update', v8, pushContentDefaults).content, a);
    const kept = objectPush('ConfigMap', 'update', v7, { stripManagedFields: false }).content;
    assert.notEqual(kept, a);
    assert.ok('managedFields' in (kept['metadata'] as object), 'not the stripped one');
  });

  it('does not share Pods, which go to one node each', () => {
    const pod = realisticPod();
    assert.notEqual(
      objectPush('Pod', 'update', pod, pushContentDefaults).content,
      objectPush('Pod', 'update', pod, pushContentDefaults).content,
    );
  });

  it('does not keep a content object alive: once no push holds it, the garbage collector takes it', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const object = realisticObject('ConfigMap', 'big', 'uid-2', '9');
    const ref = new WeakRef(objectPush('ConfigMap', 'update', object, pushContentDefaults).content);
    // A WeakRef's target survives the current turn; collect after it.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.equal(ref.deref(), undefined, 'collected while the store object is alive');
    // And the next push prepares it again, from the store object still held here.
    assert.deepEqual(objectPush('ConfigMap', 'update', object, pushContentDefaults).content['data'], {
      key: 'value',
    });
  });
});
