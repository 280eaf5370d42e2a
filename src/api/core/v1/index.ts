// Every core/v1 kind the API server serves, and the pods/binding body schema.

import type { KindDefinition } from '../../kind.ts';
import { configMap } from './configmap.ts';
import { endpoints } from './endpoints.ts';
import { event } from './event.ts';
import { limitRange } from './limitrange.ts';
import { namespace } from './namespace.ts';
import { node } from './node.ts';
import { persistentVolume } from './persistentvolume.ts';
import { persistentVolumeClaim } from './persistentvolumeclaim.ts';
import { pod } from './pod.ts';
import { replicationController } from './replicationcontroller.ts';
import { resourceQuota } from './resourcequota.ts';
import { secret } from './secret.ts';
import { service } from './service.ts';
import { serviceAccount } from './serviceaccount.ts';

export { bindingSchema, validateBinding } from './binding.ts';

// Their strategies validate ObjectMeta with each kind's own name rule.
export const kinds: KindDefinition[] = [
  namespace,
  pod,
  service,
  endpoints,
  node,
  event,
  configMap,
  secret,
  serviceAccount,
  limitRange,
  resourceQuota,
  persistentVolume,
  persistentVolumeClaim,
  replicationController,
].map((k) => ({ ...k, validatesMetadata: true }));
