/**
 * A loopback port that was free a moment ago and has nothing listening on it now: for a child process
 * that must bind a port of its own (a hollow EdgeCore's read-only port) or for a server that is not there.
 * @module
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Binds port 0 on 127.0.0.1, closes it, and returns the port the kernel chose. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
