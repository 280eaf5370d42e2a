// Static pods, as upstream's file pod source: pods the kubelet runs from manifests in a directory
// (one Pod per .yaml/.yml/.json file; names starting with "." are ignored), re-read every
// checkIntervalMs, plus pods given in code (how `k8ts up` describes its control plane). A static
// pod is named <name>-<nodeName>, bound to this node, and gets a uid derived from its content, so an
// edited manifest is a new pod. Its API face is a mirror pod (see mirrorPodFor).

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Pod } from './types.ts';

export const configSourceAnnotation = 'kubernetes.io/config.source';
export const configHashAnnotation = 'kubernetes.io/config.hash';
export const configMirrorAnnotation = 'kubernetes.io/config.mirror';
export const configSeenAnnotation = 'kubernetes.io/config.seen';

/** Whether an API pod is the mirror of a static pod. */
export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[configMirrorAnnotation] !== undefined;
}

/** Whether a pod the kubelet runs came from a manifest (not from the API). */
export function isStaticPod(pod: Pod): boolean {
  const source = pod.metadata.annotations?.[configSourceAnnotation];
  return source !== undefined && source !== 'api';
}

/** A pod from a manifest, as the kubelet runs it: named for the node, bound, defaulted, with a content uid. */
export function staticPodFrom(manifest: Pod, nodeName: string, source: string): Pod {
  const pod = structuredClone(manifest);
  const hash = createHash('md5').update(JSON.stringify(manifest)).update(nodeName).update(source).digest('hex');
  pod.apiVersion = 'v1';
  pod.kind = 'Pod';
  pod.metadata.name = `${manifest.metadata.name}-${nodeName}`;
  pod.metadata.namespace = manifest.metadata.namespace || 'default';
  pod.metadata.uid = hash;
  pod.metadata.annotations = { ...pod.metadata.annotations, [configSourceAnnotation]: source, [configHashAnnotation]: hash, [configSeenAnnotation]: new Date().toISOString() };
  pod.spec.nodeName = nodeName;
  pod.spec.restartPolicy ??= 'Always';
  pod.spec.terminationGracePeriodSeconds ??= 30;
  pod.spec.enableServiceLinks ??= true;
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.imagePullPolicy ??= c.image?.endsWith(':latest') || !c.image?.includes(':') ? 'Always' : 'IfNotPresent';
  }
  pod.status = { phase: 'Pending' };
  return pod;
}

/** The API object that shows a static pod: same name and spec, the mirror annotation, owned by the node. */
export function mirrorPodFor(pod: Pod, node: { name: string; uid?: string }): Pod {
  const mirror = structuredClone(pod);
  delete mirror.status;
  const annotations: Record<string, string> = { ...mirror.metadata.annotations, [configMirrorAnnotation]: pod.metadata.uid ?? '' };
  delete annotations[configSeenAnnotation];
  mirror.metadata = {
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
    labels: pod.metadata.labels,
    annotations,
    ...(node.uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: false }] } : {}),
  };
  return mirror;
}

/** Reads every manifest in dir; a file that does not parse as a Pod is reported and skipped. */
export async function readManifestDir(dir: string, log?: (message: string, fields?: Record<string, unknown>) => void): Promise<{ file: string; pod: Pod }[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return [];
  }
  const out: { file: string; pod: Pod }[] = [];
  for (const name of names) {
    if (name.startsWith('.') || !/\.(ya?ml|json)$/.test(name)) continue;
    const file = join(dir, name);
    try {
      const obj = parse(await readFile(file, 'utf8')) as Pod;
      if (obj?.kind !== 'Pod' || !obj.metadata?.name || !Array.isArray(obj.spec?.containers)) throw new Error('not a Pod with a name and containers');
      out.push({ file, pod: obj });
    } catch (err) {
      log?.('Could not read static pod manifest', { file, err: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}
