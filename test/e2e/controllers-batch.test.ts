// The batch controllers inside a real `k8ts up`, driven by the real kubectl: a Job runs its
// completions one at a time and completes (kubectl wait --for=condition=complete), a failing
// Job waits out the pod failure back-off and stops at BackoffLimitExceeded, a pod failure
// matching a podFailurePolicy FailJob rule fails its Job at once (PodFailurePolicy), and a CronJob
// triggered by hand (kubectl create job --from=cronjob/...) runs its Job. No kubelet runs yet,
// so the test plays the kubelet: it moves pods to Succeeded or Failed through pods/<name>/status.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../support/k8ts-cluster.ts';
import { until } from '../support/until.ts';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster(['--disable-agent']);
});
after(async () => {
  await cluster?.stop();
});

const ok = (args: string[], input?: string) => cluster.ok(args, input);

const json = (args: string[]) => cluster.json(args);


function jobManifest(name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] } } },
  });
}

/** Pods of a job that no test has finished yet. */
async function activePods(job: string): Promise<any[]> {
  const list = await json(['get', 'pods', '-l', `batch.kubernetes.io/job-name=${job}`]);
  return list.items.filter((p: any) => !['Succeeded', 'Failed'].includes(p.status?.phase) && !p.metadata.deletionTimestamp);
}

/** What a kubelet reports when the pod's only container exits. */
async function finishPod(name: string, phase: 'Succeeded' | 'Failed', exitCode = phase === 'Succeeded' ? 0 : 1): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const status = {
    phase,
    startTime: now,
    containerStatuses: [
      { name: 'work', image: 'busybox', imageID: '', ready: false, started: false, restartCount: 0, state: { terminated: { exitCode, reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: now, finishedAt: now } } },
    ],
  };
  await ok(['patch', 'pod', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

describe('job controller', () => {
  it('runs completions 2 with parallelism 1 to Complete', async () => {
    await ok(['apply', '-f', '-'], jobManifest('twice', { completions: 2, parallelism: 1 }));
    for (let i = 0; i < 2; i++) {
      const [pod] = await until(`pod ${i + 1} of job twice`, async () => {
        const pods = await activePods('twice');
        return pods.length > 0 && pods;
      });
      const again = await activePods('twice');
      assert.equal(again.length, 1, 'parallelism 1');
      assert.equal(pod.metadata.labels['batch.kubernetes.io/job-name'], 'twice');
      assert.equal(pod.metadata.labels['job-name'], 'twice');
      assert.equal(pod.metadata.ownerReferences[0].kind, 'Job');
      await finishPod(pod.metadata.name, 'Succeeded');
    }
    for (const version of [undefined, '1.33']) {
      const r = await cluster.kubectl(['wait', '--for=condition=complete', 'job/twice', '--timeout=30s'], { version });
      assert.equal(r.code, 0, `kubectl ${version ?? ''} wait: ${r.stderr}`);
    }
    const job = await json(['get', 'job', 'twice']);
    assert.equal(job.status.succeeded, 2);
    assert.ok(job.status.completionTime);
    assert.deepEqual(job.status.conditions.map((c: any) => c.type), ['SuccessCriteriaMet', 'Complete']);
    const table = await ok(['get', 'jobs', 'twice']);
    const [header, row] = table.trim().split('\n');
    assert.match(header, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/);
    assert.match(row, /^twice\s+Complete\s+2\/2\s+\S+\s+\S+$/);
    const events = await until('Completed event', async () => {
      const reasons = (await json(['get', 'events', '--field-selector', 'involvedObject.name=twice'])).items.map((e: any) => e.reason);
      return reasons.includes('Completed') && reasons;
    });
    assert.ok(events.includes('SuccessfulCreate'));
  });

  it('backs off after a failure and stops at BackoffLimitExceeded', async () => {
    await ok(['apply', '-f', '-'], jobManifest('flaky', { backoffLimit: 1 }));
    const [first] = await until('first pod', async () => {
      const pods = await activePods('flaky');
      return pods.length > 0 && pods;
    });
    await finishPod(first.metadata.name, 'Failed');
    const failedAt = Date.now();
    const [second] = await until('replacement pod', async () => {
      const pods = await activePods('flaky');
      return pods.length > 0 && pods;
    }, 40_000);
    const waited = Date.now() - failedAt;
    // 10 s after the failure's finishedAt (second precision): loosely, more than 8 s.
    assert.ok(waited > 8_000, `replacement after ${waited} ms`);
    await finishPod(second.metadata.name, 'Failed');
    await ok(['wait', '--for=condition=failed', 'job/flaky', '--timeout=30s']);
    const job = await json(['get', 'job', 'flaky']);
    const failed = job.status.conditions.find((c: any) => c.type === 'Failed');
    assert.equal(failed.reason, 'BackoffLimitExceeded');
    assert.equal(job.status.failed, 2);
    const row = (await ok(['get', 'jobs', 'flaky', '--no-headers'])).trim();
    assert.match(row, /^flaky\s+Failed\s+0\/1\s+/);
    await until('BackoffLimitExceeded event', async () =>
      (await json(['get', 'events', '--field-selector', 'involvedObject.name=flaky'])).items.some((e: any) => e.reason === 'BackoffLimitExceeded' && e.type === 'Warning'),
    );
  });

  it('fails the job at once when a pod matches a podFailurePolicy FailJob rule', async () => {
    const manifest = (restartPolicy: string) =>
      JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'fatal', namespace: 'default' },
        spec: {
          backoffLimit: 6,
          podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'work', operator: 'In', values: [42] } }] },
          template: { spec: { restartPolicy, containers: [{ name: 'work', image: 'busybox' }] } },
        },
      });
    const rejected = await cluster.kubectl(['apply', '-f', '-'], { input: manifest('OnFailure') });
    assert.notEqual(rejected.code, 0);
    assert.match(rejected.stderr, /spec\.template\.spec\.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified/);

    await ok(['apply', '-f', '-'], manifest('Never'));
    const [pod] = await until('pod of fatal', async () => {
      const pods = await activePods('fatal');
      return pods.length > 0 && pods;
    });
    await finishPod(pod.metadata.name, 'Failed', 42);
    await ok(['wait', '--for=condition=failed', 'job/fatal', '--timeout=30s']);
    const job = await json(['get', 'job', 'fatal']);
    assert.deepEqual(job.status.conditions.map((c: any) => c.type), ['FailureTarget', 'Failed']);
    const failed = job.status.conditions.find((c: any) => c.type === 'Failed');
    assert.equal(failed.reason, 'PodFailurePolicy');
    assert.equal(failed.message, `Container work for pod default/${pod.metadata.name} failed with exit code 42 matching FailJob rule at index 0`);
    assert.equal(job.status.failed, 1);
    assert.deepEqual(await activePods('fatal'), [], 'no replacement pod');
  });
});

describe('ttl-after-finished controller', () => {
  it('deletes a finished job with ttlSecondsAfterFinished 0', async () => {
    await ok(['apply', '-f', '-'], jobManifest('shortlived', { ttlSecondsAfterFinished: 0 }));
    const [pod] = await until('pod of shortlived', async () => {
      const pods = await activePods('shortlived');
      return pods.length > 0 && pods;
    });
    await finishPod(pod.metadata.name, 'Succeeded');
    await until('job shortlived deleted', async () => (await cluster.kubectl(['get', 'job', 'shortlived'])).stderr.includes('NotFound'));
  });
});

describe('cronjob controller', () => {
  const cronJob = JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'ticker', namespace: 'default' },
    spec: {
      schedule: '*/1 * * * *',
      timeZone: 'UTC',
      startingDeadlineSeconds: 300,
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] } } } },
    },
  });

  it('runs the missed tick at once and records lastScheduleTime', async () => {
    await ok(['apply', '-f', '-'], cronJob);
    // Rather than wait up to a minute for the next tick, say the last one was two minutes ago:
    // the most recent scheduled minute is then already due.
    const twoMinutesAgo = new Date(Date.now() - 120_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await ok(['patch', 'cronjob', 'ticker', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { lastScheduleTime: twoMinutesAgo } })]);
    const cj = await until('a scheduled job', async () => {
      const c = await json(['get', 'cronjob', 'ticker']);
      return c.status?.active?.length > 0 && c.status.lastScheduleTime !== twoMinutesAgo && c;
    });
    const scheduled = Date.parse(cj.status.lastScheduleTime);
    assert.equal(scheduled % 60_000, 0);
    assert.ok(Date.now() - scheduled < 120_000);
    const name = `ticker-${scheduled / 60_000}`;
    assert.equal(cj.status.active[0].name, name);
    const job = await json(['get', 'job', name]);
    assert.equal(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], cj.status.lastScheduleTime);
    assert.equal(job.metadata.ownerReferences[0].kind, 'CronJob');
    const [header, row] = (await ok(['get', 'cronjobs', 'ticker'])).trim().split('\n');
    assert.match(header, /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/);
    assert.match(row, /^ticker\s+\*\/1 \* \* \* \*\s+UTC\s+False\s+1\s+\d+s\s+\S+$/);

    const [pod] = await until(`pod of ${name}`, async () => {
      const pods = await activePods(name);
      return pods.length > 0 && pods;
    });
    await finishPod(pod.metadata.name, 'Succeeded');
    const done = await until('the cronjob saw the job complete', async () => {
      const c = await json(['get', 'cronjob', 'ticker']);
      return !c.status.active && c.status.lastSuccessfulTime && c;
    });
    assert.ok(done.status.lastSuccessfulTime);
    await until('SuccessfulCreate and SawCompletedJob events', async () => {
      const reasons = (await json(['get', 'events', '--field-selector', 'involvedObject.name=ticker'])).items.map((e: any) => e.reason);
      return reasons.includes('SuccessfulCreate') && reasons.includes('SawCompletedJob');
    });
  });

  it('runs a job created by hand from the cronjob', async () => {
    await ok(['create', 'job', 'by-hand', '--from=cronjob/ticker']);
    const job = await json(['get', 'job', 'by-hand']);
    assert.equal(job.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    await until('the cronjob lists the manual job as active', async () =>
      ((await json(['get', 'cronjob', 'ticker'])).status.active ?? []).some((r: any) => r.name === 'by-hand'),
    );
    const [pod] = await until('pod of by-hand', async () => {
      const pods = await activePods('by-hand');
      return pods.length > 0 && pods;
    });
    await finishPod(pod.metadata.name, 'Succeeded');
    await ok(['wait', '--for=condition=complete', 'job/by-hand', '--timeout=30s']);
  });
});
