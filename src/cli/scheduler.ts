// `k8ts scheduler`: the kube-scheduler alone, against any API server a kubeconfig names.

import { parseArgs } from 'node:util';
import { createKubeScheduler } from '../kube-scheduler/scheduler.ts';
import { untilSignal } from './process.ts';

const usage = `Usage: k8ts scheduler --kubeconfig PATH [flags]

Places pods on nodes: watches pods and nodes through the API server and binds each
pending pod of its profiles to the best-fitting node.

Flags:
  --kubeconfig PATH        Kubeconfig of the API server to use (required)
  --config FILE            KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file
  --scheduler-name NAME    Profile to serve when no --config is given; repeatable (default: default-scheduler)
  --leader-elect           Act only while holding the Lease kube-system/kube-scheduler
  --bind-address ADDR      Address of the health and metrics endpoint (default: 127.0.0.1)
  --health-port PORT       Port of /healthz, /readyz, /metrics; 0 picks a free one (default: 10259)
  -h, --help               Show this help
`;

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      kubeconfig: { type: 'string' },
      config: { type: 'string' },
      'scheduler-name': { type: 'string', multiple: true },
      'leader-elect': { type: 'boolean', default: false },
      'bind-address': { type: 'string', default: '127.0.0.1' },
      'health-port': { type: 'string', default: '10259' },
    },
    strict: true,
  });
  if (!values.kubeconfig) throw new Error(`--kubeconfig is required\n\n${usage}`);
  const healthPort = Number(values['health-port']);
  if (!Number.isInteger(healthPort) || healthPort < 0 || healthPort > 65535) throw new Error(`--health-port: invalid port ${values['health-port']}`);
  const scheduler = createKubeScheduler({
    kubeconfig: values.kubeconfig,
    configFile: values.config,
    schedulerNames: values['scheduler-name'],
    leaderElect: values['leader-elect'],
    bindAddress: values['bind-address'],
    healthPort,
  });
  await scheduler.start();
  const signal = await untilSignal();
  process.stdout.write(`${new Date().toISOString()} INFO kube-scheduler: ${signal}: shutting down\n`);
  await scheduler.close();
  return 0;
}

export const scheduler = { usage, run };
