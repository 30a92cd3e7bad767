/**
 * What the demo creates: a ConfigMap, a Secret, and a Deployment whose pods mount the one, read the other
 * as env, and may run only on edge nodes. Pure data.
 * @module
 */

/** One object to POST. */
export interface DemoObject {
  readonly path: string;
  readonly body: object;
}

/** The demo's objects in namespace `default`, in creation order. */
export function demoObjects(replicas: number): DemoObject[] {
  return [
    {
      path: '/api/v1/namespaces/default/configmaps',
      body: { metadata: { name: 'demo-config' }, data: { greeting: 'hello from the cloud' } },
    },
    {
      path: '/api/v1/namespaces/default/secrets',
      body: { metadata: { name: 'demo-secret' }, stringData: { password: 'not-a-real-password' } },
    },
    {
      path: '/apis/apps/v1/namespaces/default/deployments',
      body: {
        metadata: { name: 'demo-web' },
        spec: {
          replicas,
          selector: { matchLabels: { app: 'demo-web' } },
          template: {
            metadata: { labels: { app: 'demo-web' } },
            spec: {
              nodeSelector: { 'node-role.kubernetes.io/edge': '' },
              containers: [
                {
                  name: 'web',
                  image: 'nginx:1.27',
                  resources: { requests: { cpu: '10m', memory: '16Mi' } },
                  env: [
                    {
                      name: 'PASSWORD',
                      valueFrom: { secretKeyRef: { name: 'demo-secret', key: 'password' } },
                    },
                  ],
                  volumeMounts: [{ name: 'config', mountPath: '/etc/demo' }],
                },
              ],
              volumes: [{ name: 'config', configMap: { name: 'demo-config' } }],
            },
          },
        },
      },
    },
  ];
}
