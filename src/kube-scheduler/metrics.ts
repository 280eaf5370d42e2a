// The scheduler's metrics, named and labelled as upstream's (pkg/scheduler/metrics).

import { exponentialBuckets, Registry } from '../component-base/metrics.ts';

export function schedulerMetrics(registry = new Registry()) {
  return {
    registry,
    scheduleAttempts: registry.counter(
      'scheduler_schedule_attempts_total',
      "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
      ['result', 'profile'],
    ),
    attemptDuration: registry.histogram(
      'scheduler_scheduling_attempt_duration_seconds',
      'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      ['result', 'profile'],
      exponentialBuckets(0.001, 2, 15),
    ),
    algorithmDuration: registry.histogram('scheduler_scheduling_algorithm_duration_seconds', 'Scheduling algorithm latency in seconds', [], exponentialBuckets(0.001, 2, 15)),
    pendingPods: registry.gauge(
      'scheduler_pending_pods',
      "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; 'gated' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.",
      ['queue'],
    ),
    leader: registry.gauge('leader_election_master_status', 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.', ['name']),
  };
}

export type SchedulerMetrics = ReturnType<typeof schedulerMetrics>;
