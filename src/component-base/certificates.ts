// Certificates for the cluster's own PKI, as PEM strings: a self-signed CA, serving certificates for
// the API server and client certificates whose subject is the identity (CN = user, O = groups), the
// same convention as Kubernetes' x509 authenticator. Keys are ECDSA P-256 (fast to generate; Go and
// kubectl accept them) in PKCS#8 PEM. CA keys of type RSA or ECDSA P-384 are also accepted for signing.

import { KeyObject, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Extension, JsonGeneralName, JsonName, X509Certificate } from '@peculiar/x509';

export interface CertificateAndKey {
  certPem: string;
  keyPem: string;
}

export interface UserInfo {
  user: string;
  groups: string[];
}

export const defaultServerNames: readonly string[] = [
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];
export const defaultServerIPs: readonly string[] = ['127.0.0.1', '::1'];

const DAY = 24 * 60 * 60 * 1000;
export const caValidityMs = 10 * 365 * DAY;
export const leafValidityMs = 365 * DAY;
// Like kubeadm, certificates start a little in the past so that a peer whose clock lags still accepts them.
const backdateMs = 5 * 60 * 1000;

const ecdsaP256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

// @peculiar/x509 (with the reflect-metadata polyfill it pulls in) takes ~90 ms to load. Only issuing
// needs it, so a restart that reuses its certificates, or a process that only authenticates, never loads it.
let x509: Promise<typeof import('@peculiar/x509')> | undefined;
function loadX509(): Promise<typeof import('@peculiar/x509')> {
  x509 ??= import('@peculiar/x509');
  return x509;
}

interface Signer {
  certificate: X509Certificate;
  key: webcrypto.CryptoKey;
  signingAlgorithm: webcrypto.EcdsaParams | webcrypto.RsaHashedImportParams;
}

export async function createCA(options: { commonName?: string; now?: number } = {}): Promise<CertificateAndKey> {
  const [x, keys] = await Promise.all([loadX509(), generateKeyPair()]);
  const now = options.now ?? Date.now();
  const certificate = await x.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(),
      name: [{ CN: [options.commonName ?? 'k8ts-ca'] }],
      notBefore: new Date(now - backdateMs),
      notAfter: new Date(now + caValidityMs),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      keys,
      extensions: [
        new x.BasicConstraintsExtension(true, undefined, true),
        new x.KeyUsagesExtension(
          x.KeyUsageFlags.keyCertSign | x.KeyUsageFlags.cRLSign | x.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return { certPem: `${certificate.toString('pem')}\n`, keyPem: privateKeyPem(keys.privateKey) };
}

export interface ServingCertificateOptions {
  commonName?: string;
  /** DNS names (an IP address given here is put among the IP SANs). Defaults are always included. */
  dnsNames?: readonly string[];
  ips?: readonly string[];
  now?: number;
}

export async function issueServingCertificate(
  ca: CertificateAndKey,
  options: ServingCertificateOptions = {},
): Promise<CertificateAndKey> {
  const { dnsNames, ips } = servingNames(options);
  const altNames: JsonGeneralName[] = [
    ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...ips.map((value) => ({ type: 'ip' as const, value })),
  ];
  const x = await loadX509();
  return issueLeaf(ca, {
    subject: [{ CN: [options.commonName ?? 'kube-apiserver'] }],
    usage: x.ExtendedKeyUsage.serverAuth,
    extensions: [new x.SubjectAlternativeNameExtension(altNames, false)],
    now: options.now,
  });
}

export interface ClientCertificateOptions {
  user: string;
  groups?: readonly string[];
  now?: number;
}

export async function issueClientCertificate(
  ca: CertificateAndKey,
  options: ClientCertificateOptions,
): Promise<CertificateAndKey> {
  if (options.user === '') throw new Error('client certificate: user (CN) must not be empty');
  const subject: JsonName = [{ CN: [options.user] }];
  for (const group of options.groups ?? []) subject.push({ O: [group] });
  const x = await loadX509();
  return issueLeaf(ca, { subject, usage: x.ExtendedKeyUsage.clientAuth, extensions: [], now: options.now });
}

/** The full SAN set a serving certificate gets for these options: defaults first, duplicates removed. */
export function servingNames(options: Pick<ServingCertificateOptions, 'dnsNames' | 'ips'>): {
  dnsNames: string[];
  ips: string[];
} {
  const dnsNames = new Set<string>(defaultServerNames);
  const ips = new Set<string>(defaultServerIPs);
  for (const name of options.dnsNames ?? []) (isIP(name) ? ips : dnsNames).add(name);
  for (const ip of options.ips ?? []) {
    if (!isIP(ip)) throw new Error(`serving certificate: ${JSON.stringify(ip)} is not an IP address`);
    ips.add(ip);
  }
  return { dnsNames: [...dnsNames], ips: [...ips] };
}

/** The shape of `tls.TLSSocket#getPeerCertificate()` that carries the identity. */
export interface PeerSubject {
  subject?: { CN?: string | string[]; O?: string | string[] } | null;
}

/**
 * The identity in a verified client certificate: CN is the user, every O a group. Undefined when there
 * is no certificate or the CN is empty. Where a name has several CNs the last one counts, as in Go's
 * pkix.Name. The caller must have checked that the chain verified (see userFromTLSSocket).
 */
export function userFromPeerCertificate(cert: PeerSubject | null | undefined): UserInfo | undefined {
  const subject = cert?.subject;
  if (!subject) return undefined;
  const cns = asArray(subject.CN);
  const user = cns[cns.length - 1];
  if (!user) return undefined;
  return { user, groups: asArray(subject.O) };
}

/** The identity of a TLS peer, only if its certificate verified against the server's client CA. */
export function userFromTLSSocket(socket: TLSSocket): UserInfo | undefined {
  if (!socket.authorized) return undefined;
  return userFromPeerCertificate(socket.getPeerCertificate());
}

function asArray(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value];
}

async function issueLeaf(
  ca: CertificateAndKey,
  leaf: { subject: JsonName; usage: string; extensions: Extension[]; now: number | undefined },
): Promise<CertificateAndKey> {
  const [x, signer, keys] = await Promise.all([loadX509(), loadSigner(ca), generateKeyPair()]);
  const now = leaf.now ?? Date.now();
  const notAfter = Math.min(now + leafValidityMs, signer.certificate.notAfter.getTime());
  const certificate = await x.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: leaf.subject,
      issuer: signer.certificate.subjectName,
      notBefore: new Date(now - backdateMs),
      notAfter: new Date(notAfter),
      publicKey: keys.publicKey,
      signingKey: signer.key,
      signingAlgorithm: signer.signingAlgorithm,
      extensions: [
        new x.BasicConstraintsExtension(false, undefined, true),
        new x.KeyUsagesExtension(x.KeyUsageFlags.digitalSignature | x.KeyUsageFlags.keyEncipherment, true),
        new x.ExtendedKeyUsageExtension([leaf.usage], false),
        await x.AuthorityKeyIdentifierExtension.create(signer.certificate, false, webcrypto),
        ...leaf.extensions,
      ],
    },
    webcrypto,
  );
  return { certPem: `${certificate.toString('pem')}\n`, keyPem: privateKeyPem(keys.privateKey) };
}

async function loadSigner(ca: CertificateAndKey): Promise<Signer> {
  const certificate = new (await loadX509()).X509Certificate(ca.certPem);
  const keyObject = createPrivateKey(ca.keyPem);
  const { importParams, signingAlgorithm } = signingParams(keyObject);
  const key = keyObject.toCryptoKey(importParams, false, ['sign']);
  return { certificate, key, signingAlgorithm };
}

function signingParams(key: KeyObject): {
  importParams: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
  signingAlgorithm: webcrypto.EcdsaParams | webcrypto.RsaHashedImportParams;
} {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') {
      return { importParams: ecdsaP256, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } };
    }
    if (curve === 'secp384r1') {
      return {
        importParams: { name: 'ECDSA', namedCurve: 'P-384' },
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' },
      };
    }
    throw new Error(`CA key: unsupported elliptic curve ${curve}`);
  }
  if (key.asymmetricKeyType === 'rsa') {
    const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return { importParams: rsa, signingAlgorithm: rsa };
  }
  throw new Error(`CA key: unsupported key type ${key.asymmetricKeyType}`);
}

async function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ecdsaP256, true, ['sign', 'verify']);
}

function privateKeyPem(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;
}

// A positive 127-bit serial number, as RFC 5280 asks (at most 20 octets, non-negative).
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}
