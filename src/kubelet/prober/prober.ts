// One probe of one container, as upstream's prober.probe: picks the handler the probe names (exec,
// httpGet, tcpSocket, grpc), retries up to 3 times a probe that could not be run, and says which
// event the kubelet records: Warning `Unhealthy` "<Type> probe failed: <output>" on a failure,
// Warning `ProbeWarning` "<Type> probe warning: <output>" on a warning, and Warning `Unhealthy`
// "<Type> probe errored and resulted in <result> state: <error>" when it could not be run.

import type { Clock } from '../../machinery/clock.ts';
import type { Container, Pod, Probe } from '../types.ts';
import { execProbe, expandCommand } from './exec.ts';
import type { ExecRunner } from './exec.ts';
import { grpcProbe } from './grpc.ts';
import { httpGetRequest, httpProbe } from './http.ts';
import { errored, probeTypeName, resolveContainerPort } from './probe.ts';
import type { ProbeOutcome, ProbeResult, ProbeType, RunnerOptions } from './probe.ts';
import { tcpProbe } from './tcp.ts';

const maxProbeRetries = 3;

export interface ProbeTarget {
  pod: Pod;
  container: Container;
  containerId: string;
  podIP: string | undefined;
}

export interface ProbeEvent {
  type: 'Warning';
  reason: 'Unhealthy' | 'ProbeWarning';
  message: string;
}

export interface Prober {
  /** Runs the probe once (with retries on errors); never rejects. */
  run(spec: Probe, target: ProbeTarget, signal?: AbortSignal): Promise<ProbeOutcome>;
}

export interface ProberOptions {
  runtime: ExecRunner;
  clock: Clock;
  /** `kube-probe/<major>.<minor>`, sent by httpGet and grpc probes. */
  userAgent: string;
}

/** upstream format.Pod: name_namespace(uid). */
function formatPod(pod: Pod): string {
  return `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid ?? ''})`;
}

export function createProber(options: ProberOptions): Prober {
  const { runtime, clock, userAgent } = options;

  function runOnce(spec: Probe, t: ProbeTarget, signal: AbortSignal | undefined): Promise<ProbeOutcome> {
    const opts: RunnerOptions = { timeoutSeconds: spec.timeoutSeconds || 1, clock, signal };
    try {
      if (spec.exec) return execProbe(runtime, t.containerId, expandCommand(spec.exec.command ?? [], t.container.env), opts);
      if (spec.httpGet) {
        if (!spec.httpGet.host && !t.podIP) throw new Error('pod has no IP address to probe');
        return httpProbe(httpGetRequest(spec.httpGet, t.container, t.podIP ?? '', userAgent), opts);
      }
      if (spec.tcpSocket) {
        const port = resolveContainerPort(spec.tcpSocket.port, t.container);
        const host = spec.tcpSocket.host || t.podIP;
        if (!host) throw new Error('pod has no IP address to probe');
        return tcpProbe(host, port, opts);
      }
      if (spec.grpc) {
        if (!t.podIP) throw new Error('pod has no IP address to probe');
        return grpcProbe(t.podIP, spec.grpc.port, spec.grpc.service ?? '', { ...opts, userAgent });
      }
      throw new Error(`missing probe handler for ${formatPod(t.pod)}:${t.container.name}`);
    } catch (err) {
      return Promise.resolve(errored(err instanceof Error ? err : new Error(String(err))));
    }
  }

  return {
    async run(spec, target, signal) {
      let outcome = errored(new Error('probe not run'));
      for (let i = 0; i < maxProbeRetries && !signal?.aborted; i++) {
        outcome = await runOnce(spec, target, signal);
        if (!outcome.error) break;
      }
      return outcome;
    },
  };
}

/** The event upstream's prober records for one probe outcome, if any. */
export function probeEvent(probeType: ProbeType, outcome: ProbeOutcome): ProbeEvent | undefined {
  const name = probeTypeName(probeType);
  if (outcome.error) return { type: 'Warning', reason: 'Unhealthy', message: probeErrorMessage(probeType, outcome.result, outcome.error.message) };
  if (outcome.result === 'failure') return { type: 'Warning', reason: 'Unhealthy', message: probeFailureMessage(probeType, outcome.output) };
  if (outcome.result === 'warning') return { type: 'Warning', reason: 'ProbeWarning', message: `${name} probe warning: ${outcome.output}` };
  return undefined;
}

/** "Liveness probe failed: HTTP probe failed with statuscode: 500" */
export function probeFailureMessage(probeType: ProbeType, output: string): string {
  return `${probeTypeName(probeType)} probe failed: ${output}`;
}

/** "Readiness probe errored and resulted in unknown state: <error>" */
export function probeErrorMessage(probeType: ProbeType, result: ProbeResult, error: string): string {
  return `${probeTypeName(probeType)} probe errored and resulted in ${result} state: ${error}`;
}
