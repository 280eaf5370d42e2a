// A kubeconfig for one user authenticated by client certificate, in the layout kubectl itself writes
// (one cluster, one user, one context, all data inline as base64), so the real kubectl reads it
// unmodified. Strings that YAML could read as anything but the same string are double-quoted.
// writeKubeconfig replaces the file atomically with mode 0600: it holds a private key.

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeAtomically } from './atomic-file.ts';

export interface KubeconfigOptions {
  /** The API server URL, e.g. https://127.0.0.1:6443. */
  server: string;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  user: string;
  cluster?: string;
  context?: string;
}

export function kubeconfigYaml(options: KubeconfigOptions): string {
  const { server, caPem, clientCertPem, clientKeyPem, user, cluster = 'k8ts', context = 'k8ts' } = options;
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${base64(caPem)}`,
    `    server: ${scalar(server)}`,
    `  name: ${scalar(cluster)}`,
    'contexts:',
    '- context:',
    `    cluster: ${scalar(cluster)}`,
    `    user: ${scalar(user)}`,
    `  name: ${scalar(context)}`,
    `current-context: ${scalar(context)}`,
    'kind: Config',
    'preferences: {}',
    'users:',
    `- name: ${scalar(user)}`,
    '  user:',
    `    client-certificate-data: ${base64(clientCertPem)}`,
    `    client-key-data: ${base64(clientKeyPem)}`,
    '',
  ].join('\n');
}

export async function writeKubeconfig(path: string, options: KubeconfigOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeAtomically(path, kubeconfigYaml(options), 0o600);
}

function base64(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}

// YAML 1.1 (what kubectl's parser speaks) turns yes/no/on/off/null/~ and number-like plain words into
// other types; a plain scalar is used only for names made of safe characters that start with a letter.
const plainSafe = /^[A-Za-z_/][A-Za-z0-9._/:@-]*$/;
const plainReserved = /^(y|yes|n|no|true|false|on|off|null)$/i;

function scalar(value: string): string {
  if (plainSafe.test(value) && !value.endsWith(':') && !plainReserved.test(value)) return value;
  return JSON.stringify(value);
}
