// The ServiceAccount kind: secrets and image pull secrets references, and the SECRETS/AGE table.

import type { ColumnDefinition, KindDefinition } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn } from '../../printing.ts';
import { bool, list, listMap } from '../../schema.ts';
import { localObjectReference, objectReference } from './common.ts';
import { records } from './json.ts';
import { nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';

export const serviceAccountSchema = kindSchema(
  'ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets',
  {
    secrets: listMap(objectReference, ['name'], 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'),
    imagePullSecrets: list(localObjectReference, 'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.', {
      'x-kubernetes-list-type': 'atomic',
    }),
    automountServiceAccountToken: bool('AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted.'),
  },
);

export const serviceAccountColumns: ColumnDefinition[] = [
  { name: 'Secrets', type: 'string', priority: 0, description: "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret" },
  ageColumn,
];

export const serviceAccount: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  resource: 'serviceaccounts',
  namespaced: true,
  shortNames: ['sa'],
  schema: serviceAccountSchema,
  table: { columns: serviceAccountColumns, cells: (o, now) => [records(o.secrets).length, age(o, now)] },
  strategy: {
    validate: (o) => validateObjectMeta(o, true, nameIsDNSSubdomain),
    validateUpdate: (o, old) => validateObjectMetaUpdate(o, old),
  },
};
