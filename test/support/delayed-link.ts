/**
 * A TCP connection to a loopback port over a link that delays every byte by `delayMs` each way (a slow
 * edge link, without `tc`), as a Duplex to hand to `tls.connect({ socket })`. An error or reset on the
 * real socket surfaces as the same error on the link, `delayMs` later. Used by tests and benches that
 * need real link delays from an independent client.
 * @module
 */
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';

/** Connects to `127.0.0.1:port`; `delayMs` 0 returns the plain socket. */
export function delayedConnection(port: number, delayMs: number): Duplex {
  const socket = netConnect({ host: '127.0.0.1', port });
  if (delayMs === 0) return socket;
  const link = new Duplex({
    write(chunk: Buffer, _encoding, done) {
      setTimeout(() => {
        if (!socket.destroyed) socket.write(chunk);
      }, delayMs);
      done();
    },
    final(done) {
      setTimeout(() => socket.end(), delayMs);
      done();
    },
    read() {
      // Pushed from the socket's data events below.
    },
    destroy(err, done) {
      socket.destroy();
      done(err);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    setTimeout(() => link.push(chunk), delayMs);
  });
  socket.on('end', () => {
    setTimeout(() => link.push(null), delayMs);
  });
  socket.on('error', (err) => {
    setTimeout(() => link.destroy(err), delayMs);
  });
  return link;
}
