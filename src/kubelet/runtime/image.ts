// Image names for runtimes without images (process and fake): a name is normalized the way containerd
// reports it (`busybox` → `docker.io/library/busybox:latest`) and gets a stable made-up content reference,
// so the kubelet sees the same shapes as from a real runtime.

import { createHash } from 'node:crypto';

/** The fully qualified reference: registry host, repository path, and a tag unless a digest is given. */
export function normalizeImage(image: string): string {
  const name = image.trim();
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let ref = hasRegistry ? name : `docker.io/${slash < 0 ? `library/${name}` : name}`;
  if (ref.startsWith('docker.io/') && !ref.slice('docker.io/'.length).includes('/')) ref = `docker.io/library/${ref.slice('docker.io/'.length)}`;
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  if (!ref.includes('@') && !lastPart.includes(':')) ref += ':latest';
  return ref;
}

/** `sha256:` of the normalized name: the same image always gets the same reference. */
export function imageRef(image: string): string {
  return `sha256:${createHash('sha256').update(normalizeImage(image)).digest('hex')}`;
}

/** The last path component of the repository, without tag or digest: `docker.io/library/busybox:1.36` → `busybox`. */
export function imageRepositoryName(image: string): string {
  const withoutDigest = image.trim().split('@')[0];
  const last = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon < 0 ? last : last.slice(0, colon);
}
