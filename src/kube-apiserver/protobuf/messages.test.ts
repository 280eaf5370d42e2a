import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseField } from './descriptor.ts';
import { allMessages, decodableKinds, isSpecialMessage, lookupMessage, messageForKind } from './messages.ts';

describe('protobuf message tables', () => {
  it('every message parses and every reference resolves', () => {
    const names = allMessages();
    assert.ok(names.length > 300, `only ${names.length} messages`);
    for (const name of names) {
      const desc = lookupMessage(name);
      for (const f of desc.fields.values()) {
        if ('message' in f.value && !isSpecialMessage(f.value.message)) {
          assert.doesNotThrow(() => lookupMessage((f.value as { message: string }).message), `${name}.${f.number}`);
        }
      }
    }
  });

  it('maps the kinds kubectl 1.32+ sends as protobuf', () => {
    const wanted = [
      'v1/ConfigMap', 'v1/Secret', 'v1/Namespace', 'v1/Service', 'v1/ServiceAccount', 'v1/ResourceQuota', 'v1/Pod',
      'apps/v1/Deployment', 'batch/v1/Job', 'batch/v1/CronJob',
      'rbac.authorization.k8s.io/v1/Role', 'rbac.authorization.k8s.io/v1/ClusterRole',
      'rbac.authorization.k8s.io/v1/RoleBinding', 'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
      'authorization.k8s.io/v1/SelfSubjectAccessReview', 'authorization.k8s.io/v1/SelfSubjectRulesReview',
      'authentication.k8s.io/v1/SelfSubjectReview', 'authentication.k8s.io/v1/TokenRequest',
      'scheduling.k8s.io/v1/PriorityClass', 'policy/v1/PodDisruptionBudget', 'policy/v1/Eviction',
      'autoscaling/v1/HorizontalPodAutoscaler', 'autoscaling/v2/HorizontalPodAutoscaler', 'autoscaling/v1/Scale',
      'networking.k8s.io/v1/Ingress',
    ];
    for (const gvk of wanted) {
      const i = gvk.lastIndexOf('/');
      assert.ok(messageForKind(gvk.slice(0, i), gvk.slice(i + 1)), gvk);
    }
    for (const { message } of decodableKinds()) assert.ok(lookupMessage(message).fields.get(1)?.json === 'metadata', message);
  });

  it('resolves DeleteOptions in any group version, and nothing unknown', () => {
    assert.equal(messageForKind('apps/v1', 'DeleteOptions'), 'meta.DeleteOptions');
    assert.equal(messageForKind('v1', 'DeleteOptions'), 'meta.DeleteOptions');
    assert.equal(messageForKind('v1', 'Widget'), undefined);
    assert.equal(messageForKind('constructor', 'toString'), undefined);
    assert.throws(() => lookupMessage('core.constructor'), /no message/);
  });

  it('parses the field notation and rejects malformed specs', () => {
    assert.deepEqual(parseField('4 ports []ContainerPort', 'core', 'X'), {
      number: 4, json: 'ports', inline: false, list: false, cardinality: 'repeated',
      value: { message: 'core.ContainerPort' }, keepZero: false, omitZero: false,
    });
    assert.deepEqual(parseField('2 data map<string,bytes>', 'core', 'X').key, 'string');
    assert.equal(parseField('1 replicas int32!', 'apps', 'X').keepZero, true);
    assert.equal(parseField('1 ... ProbeHandler', 'core', 'X').inline, true);
    assert.equal(parseField('8 creationTimestamp Time?', 'meta', 'X').omitZero, true);
    assert.throws(() => parseField('1 name', 'core', 'X'), /bad field spec/);
    assert.throws(() => parseField('1 name strin', 'core', 'X'), /bad type/);
    assert.throws(() => parseField('1 name string?', 'core', 'X'), /'\?' on a non-message/);
    assert.throws(() => parseField('1 ... string', 'core', 'X'), /needs a message/);
    assert.throws(() => parseField('1 x map<bytes,string>', 'core', 'X'), /bad map key/);
  });
});
