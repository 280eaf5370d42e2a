import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makePod } from '../framework/testing.ts';
import type { Pod } from '../types.ts';
import { Nominator } from './nominator.ts';
import { SchedulingQueue } from './scheduling-queue.ts';

const nominatedTo = (pod: Pod, node: string | undefined): Pod => ({ ...pod, status: { ...pod.status, nominatedNodeName: node } });
const bound = (pod: Pod, node: string): Pod => ({ ...pod, spec: { ...pod.spec, nodeName: node } });

function names(n: Nominator, node: string): string[] {
  return n.nominatedPodsForNode(node).map((i) => i.pod.metadata!.name!);
}

test('the queue keeps nominations as the API reports them, and the scheduler\'s own until the API says otherwise', () => {
  const p = makePod('p', { priority: 10 });
  type Step = { name: string; run: (q: SchedulingQueue) => void; want: Record<string, string[]> };
  const steps: Step[] = [
    { name: 'a pending pod without a nomination', run: (q) => q.add(p), want: { a: [], b: [] } },
    { name: 'status.nominatedNodeName set by the API', run: (q) => q.update(p, nominatedTo(p, 'a')), want: { a: ['p'], b: [] } },
    { name: 'changed to another node', run: (q) => q.update(nominatedTo(p, 'a'), nominatedTo(p, 'b')), want: { a: [], b: ['p'] } },
    { name: 'removed by the API', run: (q) => q.update(nominatedTo(p, 'b'), p), want: { a: [], b: [] } },
    { name: 'nominated by this scheduler (preemption)', run: (q) => q.nominator.add(p, 'a'), want: { a: ['p'], b: [] } },
    { name: 'an update that does not carry it yet keeps it', run: (q) => q.update(p, { ...p, metadata: { ...p.metadata, labels: { x: 'y' } } }), want: { a: ['p'], b: [] } },
    { name: 'cleared by a failed cycle', run: (q) => q.nominator.add(p, ''), want: { a: [], b: [] } },
    { name: 'nominated again', run: (q) => q.update(p, nominatedTo(p, 'a')), want: { a: ['p'], b: [] } },
    { name: 'bound (the informer sees spec.nodeName)', run: (q) => q.delete(bound(nominatedTo(p, 'a'), 'a')), want: { a: [], b: [] } },
  ];
  const q = new SchedulingQueue();
  for (const step of steps) {
    step.run(q);
    assert.deepEqual({ a: names(q.nominator, 'a'), b: names(q.nominator, 'b') }, step.want, step.name);
  }
  q.close();
});

test('a deleted pod, a bound pod and an assumed pod are not nominated', () => {
  const assumed = new Set<string>();
  const q = new SchedulingQueue({ nominator: new Nominator({ isAssumed: (pod) => assumed.has(pod.metadata!.name!) }) });
  const p = nominatedTo(makePod('p'), 'a');
  q.add(p);
  assert.deepEqual(names(q.nominator, 'a'), ['p']);
  q.delete(p);
  assert.deepEqual(names(q.nominator, 'a'), [], 'deleted');
  q.nominator.add(bound(p, 'a'));
  assert.deepEqual(names(q.nominator, 'a'), [], 'bound');
  assumed.add('p');
  q.nominator.add(p);
  assert.deepEqual(names(q.nominator, 'a'), [], 'assumed');
  assert.equal(q.nominator.size, 0);
  q.close();
});
