import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache } from './cache/cache.ts';
import { parseConfiguration } from './config.ts';
import { Framework } from './framework/runtime.ts';
import { realClock } from '../machinery/clock.ts';
import { defaultPlugins, inTreeRegistry } from './plugins/registry.ts';

const build = (yaml: string) =>
  parseConfiguration(yaml).profiles.map((profile) => new Framework({ registry: inTreeRegistry, defaultPlugins, profile, nodeInfos: new Cache(), clock: realClock }));

test('the default profile runs upstream default plugins with upstream weights', () => {
  const [fwk] = build('apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n');
  assert.equal(fwk.profileName, 'default-scheduler');
  assert.deepEqual(fwk.filterPlugins.map((p) => p.name), ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'PodTopologySpread', 'InterPodAffinity']);
  assert.deepEqual(
    fwk.scorePlugins.map((s) => [s.plugin.name, s.weight]),
    [['TaintToleration', 3], ['NodeAffinity', 2], ['NodeResourcesFit', 1], ['PodTopologySpread', 2], ['InterPodAffinity', 2], ['NodeResourcesBalancedAllocation', 1], ['ImageLocality', 1]],
  );
  assert.deepEqual(fwk.postFilterPlugins.map((p) => p.name), ['DefaultPreemption']);
  assert.deepEqual(fwk.bindPlugins.map((p) => p.name), ['DefaultBinder']);
});

test('profiles enable, disable and weigh plugins per extension point', () => {
  const [a, b] = build(`
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 50
profiles:
- schedulerName: default-scheduler
  plugins:
    filter:
      disabled: [{name: NodePorts}]
    score:
      disabled: [{name: '*'}]
      enabled: [{name: NodeResourcesFit, weight: 5}, {name: ImageLocality}]
  pluginConfig:
  - name: NodeResourcesFit
    args: {scoringStrategy: {type: MostAllocated}}
- schedulerName: other
`);
  assert.ok(!a.filterPlugins.some((p) => p.name === 'NodePorts'));
  assert.deepEqual(a.scorePlugins.map((s) => [s.plugin.name, s.weight]), [['NodeResourcesFit', 5], ['ImageLocality', 1]]);
  assert.equal(b.profileName, 'other');
  assert.equal(b.scorePlugins.length, 7);
});

test('bad configurations are refused with the field at fault', () => {
  const head = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
  assert.throws(() => parseConfiguration('apiVersion: v1\nkind: KubeSchedulerConfiguration\n'), /apiVersion: Unsupported value/);
  assert.throws(() => parseConfiguration(`${head}profiles:\n- schedulerName: a\n- schedulerName: a\n`), /profiles\[1\]\.schedulerName: Duplicate value/);
  assert.throws(() => parseConfiguration(`${head}profiles:\n- plugins: {queueSort: {}}\n`), /profiles\[0\]\.plugins\.queueSort: unknown or unsupported field/);
  assert.throws(() => build(`${head}profiles:\n- plugins: {filter: {enabled: [{name: Nope}]}}\n`), /plugin "Nope" does not exist/);
  assert.throws(() => build(`${head}profiles:\n- plugins: {score: {enabled: [{name: NodeName}]}}\n`), /plugin "NodeName" does not extend score plugin/);
  assert.throws(() => parseConfiguration(`${head}podInitialBackoffSeconds: 5\npodMaxBackoffSeconds: 2\n`), /podMaxBackoffSeconds/);
});
