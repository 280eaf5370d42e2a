// What `k8ts up` shows of its control plane in kube-system, as kubeadm clusters do: one static pod
// per component of this process (etcd for the store, kube-apiserver, kube-controller-manager,
// kube-scheduler, kube-proxy), mirrored into the API by the node's kubelet. Each pod's container
// follows the component's log file (so `kubectl logs -n kube-system kube-scheduler-<node>` shows
// that component's log), and its readiness and liveness probes call the component's own health
// endpoint, so READY in `kubectl get pods -n kube-system` is the component's real health.

import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../api/kind.ts';

export interface ControlPlaneComponent {
  name: string;
  /** The component's health endpoint. */
  health: { scheme: 'HTTP' | 'HTTPS'; port: number; path: string };
}

/** Log files of the components of this process, one per component, rewritten at each start. */
export class ComponentLogs {
  readonly dir: string;
  readonly #files = new Map<string, WriteStream>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'logs');
    mkdirSync(this.dir, { recursive: true });
  }

  path(component: string): string {
    return join(this.dir, `${component}.log`);
  }

  /** A log sink that prints a line and keeps it in the component's file. */
  sink(component: string): (line: string) => void {
    let file = this.#files.get(component);
    if (!file) this.#files.set(component, (file = createWriteStream(this.path(component), { flags: 'w' })));
    const out = file;
    return (line) => {
      process.stdout.write(`${line}\n`);
      out.write(`${line}\n`);
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#files.values()].map((f) => new Promise<void>((resolve) => f.end(resolve))));
  }
}

export function controlPlanePods(components: readonly ControlPlaneComponent[], logs: ComponentLogs): KubeObject[] {
  return components.map(({ name, health }) => {
    const probe = { httpGet: { scheme: health.scheme, host: '127.0.0.1', port: health.port, path: health.path }, periodSeconds: 2, timeoutSeconds: 2 };
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'kube-system', labels: { component: name, tier: 'control-plane' } },
      spec: {
        hostNetwork: true,
        priorityClassName: 'system-node-critical',
        containers: [
          {
            name,
            // busybox: its tail is in the image on the cri runtime, and on the PATH on the process runtime.
            image: 'busybox',
            command: ['tail', '-n', '+1', '-F', logs.path(name)],
            readinessProbe: { ...probe, failureThreshold: 3 },
            livenessProbe: { ...probe, failureThreshold: 8 },
            volumeMounts: [{ name: 'logs', mountPath: logs.dir, readOnly: true }],
          },
        ],
        volumes: [{ name: 'logs', hostPath: { path: logs.dir, type: 'Directory' } }],
      },
    };
  });
}
