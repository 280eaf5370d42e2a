// The API server's PKI directory. ensurePki creates the CA, the serving certificate and the admin
// client certificate on first start and reuses them afterwards. The CA is never replaced: a damaged,
// half-present or expired CA is an error, because replacing it would silently invalidate every
// kubeconfig. A leaf certificate is re-issued when it is missing, unreadable, not signed by the CA,
// not matching its key, within renewBeforeMs of expiry, or (serving) lacks a requested SAN, or
// (admin) no longer names kubernetes-admin in system:masters. Files are replaced atomically; keys
// are mode 0600, certificates 0644.

import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { realClock, type Clock } from '../../machinery/clock.ts';
import { readIfExists, writeAtomically } from './atomic-file.ts';
import {
  createCA,
  issueClientCertificate,
  issueServingCertificate,
  servingNames,
  userFromPeerCertificate,
  type CertificateAndKey,
} from '../../component-base/certificates.ts';

export const adminUser = 'kubernetes-admin';
export const adminGroup = 'system:masters';
export const renewBeforeMs = 90 * 24 * 60 * 60 * 1000;

export interface PkiFiles {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
}

export interface Pki {
  dir: string;
  files: PkiFiles;
  ca: CertificateAndKey;
  /** The API server's serving certificate (apiserver.crt / apiserver.key). */
  server: CertificateAndKey;
  /** kubernetes-admin in system:masters (admin.crt / admin.key). */
  admin: CertificateAndKey;
  /** What this call wrote: any of 'ca', 'apiserver', 'admin'. Empty when everything was reused. */
  issued: string[];
  /** A fresh client certificate signed by the CA (kept in memory, not written). */
  issueClientCertificate(user: string, groups?: readonly string[]): Promise<CertificateAndKey>;
}

export interface PkiOptions {
  /** Extra DNS names for the serving certificate, beyond localhost and kubernetes.default.svc.*. */
  serverNames?: readonly string[];
  /** Extra IP addresses for the serving certificate, beyond 127.0.0.1 and ::1 (e.g. 10.96.0.1). */
  serverIPs?: readonly string[];
  clock?: Pick<Clock, 'now'>;
}

export function pkiFiles(dir: string): PkiFiles {
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
  };
}

export async function ensurePki(dir: string, options: PkiOptions = {}): Promise<Pki> {
  const clock = options.clock ?? realClock;
  const files = pkiFiles(dir);
  const issued: string[] = [];
  await mkdir(dir, { recursive: true, mode: 0o700 });

  let ca = await loadCA(files, clock.now());
  if (!ca) {
    ca = await createCA({ now: clock.now() });
    await writePair(files.caCert, files.caKey, ca);
    issued.push('ca');
  }
  const caPublicKey = new X509Certificate(ca.certPem).publicKey;
  const wanted = servingNames({ dnsNames: options.serverNames, ips: options.serverIPs });

  const [server, admin] = await Promise.all([
    ensureLeaf(files.serverCert, files.serverKey, caPublicKey, clock.now(), {
      fits: (cert) =>
        wanted.dnsNames.every((name) => cert.checkHost(name, { subject: 'never' }) !== undefined) &&
        wanted.ips.every((ip) => cert.checkIP(ip) !== undefined),
      issue: () => issueServingCertificate(ca, { ...wanted, now: clock.now() }),
    }),
    ensureLeaf(files.adminCert, files.adminKey, caPublicKey, clock.now(), {
      fits: (cert) => {
        const identity = userFromPeerCertificate(cert.toLegacyObject());
        return identity?.user === adminUser && identity.groups.includes(adminGroup);
      },
      issue: () => issueClientCertificate(ca, { user: adminUser, groups: [adminGroup], now: clock.now() }),
    }),
  ]);
  if (server.issued) issued.push('apiserver');
  if (admin.issued) issued.push('admin');

  return {
    dir,
    files,
    ca,
    server: server.pair,
    admin: admin.pair,
    issued,
    issueClientCertificate: (user, groups = []) => issueClientCertificate(ca, { user, groups, now: clock.now() }),
  };
}

async function loadCA(files: PkiFiles, now: number): Promise<CertificateAndKey | undefined> {
  const [certPem, keyPem] = await Promise.all([readIfExists(files.caCert), readIfExists(files.caKey)]);
  if (certPem === undefined && keyPem === undefined) return undefined;
  const fix = `remove ${files.caCert} and ${files.caKey} to generate a new CA (existing kubeconfigs stop working)`;
  if (certPem === undefined || keyPem === undefined) {
    throw new Error(`PKI: found only one of ${files.caCert} and ${files.caKey}; ${fix}`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    if (!cert.ca) throw new Error('not a CA certificate');
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('the key does not match the certificate');
  } catch (err) {
    throw new Error(`PKI: cannot use ${files.caCert}: ${(err as Error).message}; ${fix}`, { cause: err });
  }
  if (Date.parse(cert.validTo) <= now) throw new Error(`PKI: ${files.caCert} expired on ${cert.validTo}; ${fix}`);
  return { certPem, keyPem };
}

interface LeafPolicy {
  fits(cert: X509Certificate): boolean;
  issue(): Promise<CertificateAndKey>;
}

async function ensureLeaf(
  certPath: string,
  keyPath: string,
  caKey: KeyObject,
  now: number,
  policy: LeafPolicy,
): Promise<{ pair: CertificateAndKey; issued: boolean }> {
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem !== undefined && keyPem !== undefined && leafUsable(certPem, keyPem, caKey, now, policy)) {
    return { pair: { certPem, keyPem }, issued: false };
  }
  const pair = await policy.issue();
  await writePair(certPath, keyPath, pair);
  return { pair, issued: true };
}

function leafUsable(certPem: string, keyPem: string, caKey: KeyObject, now: number, policy: LeafPolicy): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return (
      cert.verify(caKey) &&
      cert.checkPrivateKey(createPrivateKey(keyPem)) &&
      Date.parse(cert.validTo) - now > renewBeforeMs &&
      policy.fits(cert)
    );
  } catch {
    // Unparseable PEM: re-issue rather than fail the start.
    return false;
  }
}

async function writePair(certPath: string, keyPath: string, pair: CertificateAndKey): Promise<void> {
  await writeAtomically(keyPath, pair.keyPem, 0o600);
  await writeAtomically(certPath, pair.certPem, 0o644);
}
