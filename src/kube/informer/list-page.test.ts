import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseListPage } from './list-page.js';
import type { KubeObject } from './object.js';
import { listPath, watchPath } from './request-params.js';

describe('parseListPage', () => {
  it('fills kind and apiVersion from the list, strips managedFields and returns the continue token', () => {
    const page = parseListPage<KubeObject>(
      {
        kind: 'ConfigMapList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '12', continue: 'tok' },
        items: [{ metadata: { name: 'a', namespace: 'ns', resourceVersion: '3', managedFields: [] } }],
      },
      { stripManagedFields: true },
    );
    assert.deepEqual(page, {
      ok: true,
      items: [
        {
          kind: 'ConfigMap',
          apiVersion: 'v1',
          metadata: { name: 'a', namespace: 'ns', resourceVersion: '3' },
        },
      ],
      resourceVersion: '12',
      continueToken: 'tok',
      skipped: 0,
    });
  });

  it('has no continue token on the last page and counts items it cannot key', () => {
    const page = parseListPage(
      {
        kind: 'PodList',
        metadata: { resourceVersion: '5', continue: '' },
        items: [{ metadata: { name: 'p' } }, { metadata: {} }, 'junk'],
      },
      { stripManagedFields: true },
    );
    assert.ok(page.ok);
    assert.equal(page.continueToken, undefined);
    assert.equal(page.items.length, 1);
    assert.equal(page.skipped, 2);
  });

  const malformed: [name: string, body: unknown, reason: string][] = [
    ['a non-object', 'oops', 'no items array'],
    ['a Status', { kind: 'Status', code: 500 }, 'no items array'],
    ['a list without a resourceVersion', { items: [], metadata: {} }, 'no list resourceVersion'],
  ];
  for (const [name, body, reason] of malformed) {
    it(`rejects ${name}`, () => {
      assert.deepEqual(parseListPage(body, { stripManagedFields: true }), { ok: false, reason });
    });
  }
});

describe('list and watch paths', () => {
  it('asks for a page with limit, continue and selectors, and no resourceVersion', () => {
    const path = listPath('/api/v1/nodes', {
      limit: 500,
      continueToken: 'a=b',
      labelSelector: 'node-role.kubernetes.io/edge',
    });
    const query = new URL(path, 'https://x').searchParams;
    assert.equal(new URL(path, 'https://x').pathname, '/api/v1/nodes');
    assert.equal(query.get('limit'), '500');
    assert.equal(query.get('continue'), 'a=b');
    assert.equal(query.get('labelSelector'), 'node-role.kubernetes.io/edge');
    assert.equal(query.has('resourceVersion'), false);
    assert.equal(query.has('fieldSelector'), false);
  });

  it('watches with bookmarks, a server timeout and the resume point', () => {
    const path = watchPath('/api/v1/pods', {
      resourceVersion: '77',
      timeoutSeconds: 431,
      fieldSelector: 'spec.nodeName=n1',
    });
    const query = new URL(path, 'https://x').searchParams;
    assert.equal(query.get('watch'), 'true');
    assert.equal(query.get('allowWatchBookmarks'), 'true');
    assert.equal(query.get('resourceVersion'), '77');
    assert.equal(query.get('timeoutSeconds'), '431');
    assert.equal(query.get('fieldSelector'), 'spec.nodeName=n1');
  });
});
