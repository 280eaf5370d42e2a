// The tcpSocket probe (upstream pkg/probe/tcp): success when a TCP connection to host:port opens
// within timeoutSeconds; the connection is closed at once and nothing is sent. A refused or timed-out
// dial is a failure worded as Go's net package words it.

import net from 'node:net';
import { cancelled, deadline, dialErrorMessage, failure, joinHostPort, success } from './probe.ts';
import type { ProbeOutcome, RunnerOptions } from './probe.ts';

export function tcpProbe(host: string, port: number, opts: RunnerOptions): Promise<ProbeOutcome> {
  const d = deadline(opts);
  return new Promise<ProbeOutcome>((resolve) => {
    const socket = net.connect({ host, port });
    const settle = (outcome: ProbeOutcome) => {
      d.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      d.done();
      resolve(outcome);
    };
    const onAbort = () => settle(d.timedOut() ? failure(`dial tcp ${joinHostPort(host, port)}: i/o timeout`) : cancelled());
    if (d.signal.aborted) return onAbort();
    d.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => settle(success()));
    socket.once('error', (err) => settle(failure(dialErrorMessage(err, host, port))));
  });
}
