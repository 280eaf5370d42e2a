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

test('PodTopologySpread args: defaultConstraints and defaultingType, defaulted and validated as upstream', () => {
  const head = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- pluginConfig:\n  - name: PodTopologySpread\n';
  const argsOf = (yaml: string) => parseConfiguration(`${head}${yaml}`).profiles[0].pluginConfig![0].args;
  const path = 'profiles[0].pluginConfig[0].args';
  const cases: { name: string; args: string; want?: Record<string, unknown>; error?: string }[] = [
    { name: 'no args: System', args: '', want: { defaultConstraints: [], defaultingType: 'System' } },
    { name: 'System explicitly', args: '    args: {defaultingType: System}\n', want: { defaultConstraints: [], defaultingType: 'System' } },
    { name: 'List without constraints', args: '    args: {defaultingType: List}\n', want: { defaultConstraints: [], defaultingType: 'List' } },
    {
      name: 'List with constraints',
      args: `    args:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: PodTopologySpreadArgs
      defaultingType: List
      defaultConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway}
      - {maxSkew: 2, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule}
`,
      want: {
        defaultingType: 'List',
        defaultConstraints: [
          { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
          { maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' },
        ],
      },
    },
    {
      name: 'constraints with the System default',
      args: '    args:\n      defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}]\n',
      error: `${path}.defaultingType: Invalid value: "System": when .defaultConstraints are not empty`,
    },
    { name: 'unknown defaultingType', args: '    args: {defaultingType: Custom}\n', error: `${path}.defaultingType: Unsupported value: "Custom": supported values: "System", "List"` },
    {
      name: 'bad constraints',
      args: `    args:
      defaultingType: List
      defaultConstraints:
      - {maxSkew: 0, topologyKey: '', whenUnsatisfiable: Maybe, labelSelector: {matchLabels: {a: b}}}
`,
      error: `[${path}.defaultConstraints[0].maxSkew: Invalid value: 0: not in valid range (0, inf), ${path}.defaultConstraints[0].topologyKey: Required value: can not be empty, ${path}.defaultConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway", ${path}.defaultConstraints[0].labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod]`,
    },
    {
      name: 'a repeated key and action',
      args: '    args:\n      defaultingType: List\n      defaultConstraints:\n      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n      - {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n',
      error: `${path}.defaultConstraints[1]: Duplicate value: "{zone, DoNotSchedule}"`,
    },
    { name: 'an unknown field', args: '    args: {defaultingType: List, spreadAll: true}\n', error: `${path}.spreadAll: unknown or unsupported field` },
  ];
  for (const tc of cases) {
    if (tc.error) assert.throws(() => argsOf(tc.args), (err: Error) => err.message === tc.error, tc.name);
    else assert.deepEqual(argsOf(tc.args), tc.want, tc.name);
  }
  const [fwk] = build(`${head}    args: {defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]}\n`);
  assert.ok(fwk.filterPlugins.some((p) => p.name === 'PodTopologySpread'), 'the profile builds with the args');
});
