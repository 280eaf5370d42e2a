// A port-forward connection through a CRI runtime's streaming server, as a client of the one-shot URL
// that the PortForward call returns: a WebSocket with subprotocol v4.channel.k8s.io and the port in the
// query (`?port=N`). The server answers on two channels, data (0) and error (1), and opens each with the
// port as 2 bytes little-endian; our own messages go on the data channel without that prefix.
//
// Guarantees: the Duplex reads exactly the bytes the pod's port sent and writes what it is given, in
// order; it ends when the server closes the connection (which containerd does about a second after
// either side of the pod connection closed); text on the error channel (e.g. nothing listens on the
// port) destroys it with that text as the error. Ending the writable side sends nothing: v4 has no
// half-close, so the connection stays open until the server closes it or the Duplex is destroyed.

import { Duplex } from 'node:stream';
import { WebSocket } from 'ws';

export const portForwardProtocol = 'v4.channel.k8s.io';
const dataChannel = 0;
const errorChannel = 1;

/** Connects to `port` through the port-forward URL; resolves once the WebSocket is open. */
export function openPortForward(url: string, port: number, timeoutMs: number): Promise<Duplex> {
  const target = new URL(url);
  target.protocol = target.protocol === 'https:' ? 'wss:' : 'ws:';
  target.searchParams.set('port', String(port));
  const ws = new WebSocket(target, [portForwardProtocol], { handshakeTimeout: timeoutMs, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => reject(new Error(`the streaming server refused port-forward to port ${port}: ${res.statusCode} ${body.trim()}`)));
    });
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      resolve(bridge(ws, port));
    });
  });
}

/**
 * The cause in the server's error text. containerd words it as the kubelet does ("error forwarding port
 * P to pod ID, uid : cause"), naming the sandbox id; the kubelet's own message names the pod.
 */
export function portForwardCause(text: string): string {
  return text.trim().replace(/^error forwarding port \d+ to pod [^,]*, uid [^:]*: /, '');
}

function bridge(ws: WebSocket, port: number): Duplex {
  const seen = new Set<number>();
  let errorText = '';
  const duplex = new Duplex({
    // When the pod side is done the whole connection is: the server closes both directions together.
    allowHalfOpen: false,
    read() {
      if (ws.isPaused) ws.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      if (ws.readyState !== WebSocket.OPEN) return callback(new Error(`port-forward connection to port ${port} is closed`));
      ws.send(Buffer.concat([Buffer.from([dataChannel]), chunk]), { binary: true }, (err) => callback(err ?? null));
    },
    final(callback) {
      callback();
    },
    destroy(err, callback) {
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.terminate();
      callback(err);
    },
  });
  ws.on('message', (message: Buffer, isBinary: boolean) => {
    const data = isBinary ? message : Buffer.from(message);
    if (data.length === 0) return;
    const channel = data[0];
    let payload = data.subarray(1);
    if (!seen.has(channel)) {
      seen.add(channel);
      // The server's first message on a channel starts with the port it serves.
      payload = payload.subarray(2);
    }
    if (payload.length === 0) return;
    if (channel === dataChannel) {
      if (!duplex.push(payload)) ws.pause();
    } else if (channel === errorChannel) {
      errorText += payload.toString('utf8');
    }
  });
  ws.once('close', () => {
    if (errorText) duplex.destroy(new Error(portForwardCause(errorText)));
    else duplex.push(null);
  });
  ws.on('error', (err) => duplex.destroy(err));
  return duplex;
}
