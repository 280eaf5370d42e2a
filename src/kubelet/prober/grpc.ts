// The grpc probe (upstream pkg/probe/grpc): calls grpc.health.v1.Health/Check over plaintext HTTP/2
// at <pod IP>:<port> with the probe's service name. SERVING is success; any other status, an
// unimplemented Health service, or an RPC error is a failure. Like upstream's blocking dial, the
// call waits for the connection until timeoutSeconds, and the failure text tells a connection that
// never came up from an RPC that did not answer.

import * as grpc from '@grpc/grpc-js';
import { cancelled, deadline, failure, goDuration, joinHostPort, success } from './probe.ts';
import type { ProbeOutcome, RunnerOptions } from './probe.ts';

const checkMethod = '/grpc.health.v1.Health/Check';
const servingStatuses = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const codeNames = [
  'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss',
  'Unauthenticated',
];

function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 0x7f; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}

/** HealthCheckRequest { string service = 1; } */
function encodeRequest(service: string): Buffer {
  if (!service) return Buffer.alloc(0);
  const bytes = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a, ...varint(bytes.length)]), bytes]);
}

/** HealthCheckResponse { ServingStatus status = 1; }: the status number (0 when absent). */
function decodeResponse(buf: Buffer): number {
  let status = 0;
  let i = 0;
  const readVarint = () => {
    let v = 0;
    for (let shift = 1; i < buf.length; shift *= 128) {
      const b = buf[i++];
      v += (b & 0x7f) * shift;
      if (b < 0x80) break;
    }
    return v;
  };
  while (i < buf.length) {
    const key = readVarint();
    const wire = key & 7;
    if (wire === 0) {
      const v = readVarint();
      if (key >>> 3 === 1) status = v;
    } else if (wire === 2) i += readVarint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else break;
  }
  return status;
}

export interface GRPCProbeOptions extends RunnerOptions {
  userAgent: string;
}

export function grpcProbe(host: string, port: number, service: string, opts: GRPCProbeOptions): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  const timeout = goDuration(opts.timeoutSeconds);
  const d = deadline(opts);
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), { 'grpc.primary_user_agent': opts.userAgent });
  return new Promise<ProbeOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      d.signal.removeEventListener('abort', onAbort);
      d.done();
      client.close();
      resolve(outcome);
    };
    const call = client.makeUnaryRequest<string, number>(
      checkMethod,
      encodeRequest,
      decodeResponse,
      service,
      new grpc.Metadata({ waitForReady: true }),
      {},
      (err, status) => {
        if (!err) {
          const s = status ?? 0;
          settle(s === 1 ? success('service is serving') : failure(`service unhealthy (responded with ${JSON.stringify(servingStatuses[s] ?? String(s))})`));
        } else if (err.code === grpc.status.UNIMPLEMENTED) {
          settle(failure(`error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}`));
        } else {
          settle(failure(`error: health rpc probe failed: rpc error: code = ${codeNames[err.code] ?? err.code} desc = ${err.details}`));
        }
      },
    );
    function onAbort() {
      if (!d.timedOut()) return settle(cancelled());
      const connected = client.getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
      settle(
        failure(connected ? `timeout: health rpc did not complete within ${timeout}` : `timeout: failed to connect service ${JSON.stringify(addr)} within ${timeout}: context deadline exceeded`),
      );
      call.cancel();
    }
    if (d.signal.aborted) onAbort();
    else d.signal.addEventListener('abort', onAbort, { once: true });
  });
}
