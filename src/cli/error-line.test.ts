import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EdgeControllerError } from '../errors/index.js';
import { errorLine } from './error-line.js';

describe('errorLine', () => {
  const listen = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:10000'), {
    code: 'EADDRINUSE',
  });
  const table: [string, unknown, string][] = [
    [
      'names the code, the failure and a cause the message does not quote',
      new EdgeControllerError('EC_RUN_LISTEN_FAILED', 'the hub cannot listen on 127.0.0.1:10000', {
        cause: listen,
      }),
      'edge-controller: EC_RUN_LISTEN_FAILED: the hub cannot listen on 127.0.0.1:10000: listen EADDRINUSE: address already in use 127.0.0.1:10000',
    ],
    [
      'does not repeat a cause the message already quotes',
      new EdgeControllerError('EC_RUN_LISTEN_FAILED', `the hub cannot listen: ${listen.message}`, {
        cause: listen,
      }),
      'edge-controller: EC_RUN_LISTEN_FAILED: the hub cannot listen: listen EADDRINUSE: address already in use 127.0.0.1:10000',
    ],
    [
      'keeps a multi-line message on one line',
      new EdgeControllerError('EC_CONFIG_INVALID', 'cloudcore.yaml: not YAML:\n  at line 3\n'),
      'edge-controller: EC_CONFIG_INVALID: cloudcore.yaml: not YAML: at line 3',
    ],
    [
      'takes only the first line of a cause (a YAML excerpt would not fit)',
      new EdgeControllerError('EC_KUBE_CONFIG_INVALID', 'cannot load kubeconfig k', {
        cause: new Error('deficient indentation (2:1)\n\n 1 | not: [a\n-----^'),
      }),
      'edge-controller: EC_KUBE_CONFIG_INVALID: cannot load kubeconfig k: deficient indentation (2:1)',
    ],
    ['shows an error without a code as its message', new TypeError('boom'), 'edge-controller: boom'],
  ];
  for (const [name, err, line] of table) {
    it(name, () => {
      assert.equal(errorLine(err), line);
    });
  }
});
