import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache } from '../../cache/cache.ts';
import { CycleState } from '../../framework/cycle-state.ts';
import { makeNode, makePod } from '../../framework/testing.ts';
import { calculatePriority, newImageLocality, normalizedImageName } from './image-locality.ts';

const mb = 1024 * 1024;

test('normalizedImageName adds :latest only when there is no tag', () => {
  assert.equal(normalizedImageName('nginx'), 'nginx:latest');
  assert.equal(normalizedImageName('nginx:1.25'), 'nginx:1.25');
  assert.equal(normalizedImageName('registry:5000/app'), 'registry:5000/app:latest');
});

test('ImageLocality scores nodes by image size scaled by spread', () => {
  const cache = new Cache();
  cache.addNode(makeNode('has-big', { images: [{ names: ['big:1'], sizeBytes: 500 * mb }] }));
  cache.addNode(makeNode('has-small', { images: [{ names: ['small:1'], sizeBytes: 10 * mb }] }));
  cache.addNode(makeNode('none'));
  const plugin = newImageLocality({}, { nodeInfos: cache });
  const pod = makePod('p', { containers: [{ name: 'c', image: 'big:1' }] });
  const scores = cache.list().map((n) => [n.name, plugin.score!(new CycleState(), pod, n)]);
  // 500 MB on 1 of 3 nodes: 166.67 MB → 100 × (166.67 − 23) / (1000 − 23) = 14
  assert.deepEqual(scores, [
    ['has-big', calculatePriority(Math.trunc((500 * mb) / 3), 1)],
    ['has-small', 0],
    ['none', 0],
  ]);
  assert.equal(scores[0][1], 14);
  assert.equal(calculatePriority(2000 * mb, 1), 100);
  assert.equal(calculatePriority(1 * mb, 1), 0);
});
