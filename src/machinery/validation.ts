// Name and metadata validation with upstream's wording (k8s.io/apimachinery util/validation,
// api/validation, field errors as of Kubernetes 1.33). Every check returns StatusCause items
// shaped exactly as the API server puts them in an Invalid status: reason is the field error
// type, message is the error body without the field, field is the dotted path.

import { randomInt } from 'node:crypto';
import type { StatusCause } from './status.ts';

export type FieldErrorReason =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueTooLong'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden';

/** A field error as upstream's field.Error renders into a StatusCause. */
export interface FieldError extends StatusCause {
  reason: FieldErrorReason;
  message: string;
  field: string;
}

// ---- Go-style value rendering (fmt %q, %v, %#v) so messages match upstream byte for byte ----

/** Go's strconv.Quote: escapes quotes, backslashes and non-printable runes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x80) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (/^[\p{C}\p{Z}]$/u.test(ch)) out += cp < 0x10000 ? '\\u' + cp.toString(16).padStart(4, '0') : '\\U' + cp.toString(16).padStart(8, '0');
    else out += ch;
  }
  return out + '"';
}

/** Go's %#v of a []string: `[]string{"a", "b"}`, `[]string{}`, or `[]string(nil)` for nil. */
export function goStringSlice(values: readonly string[] | null | undefined): string {
  if (values == null) return '[]string(nil)';
  return `[]string{${values.map(goQuote).join(', ')}}`;
}

/** A value already rendered in Go syntax (for structs and slices); passed through as is. */
export interface GoRendered {
  goSyntax: string;
}

function renderValue(value: string | number | boolean | GoRendered | null | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value.goSyntax;
}

// ---- field error constructors (field.Invalid, field.Required, ...) ----

export function fieldInvalid(field: string, value: string | number | boolean | GoRendered | null | undefined, detail: string): FieldError {
  const body = `Invalid value: ${renderValue(value)}`;
  return { reason: 'FieldValueInvalid', message: detail ? `${body}: ${detail}` : body, field };
}

export function fieldRequired(field: string, detail = ''): FieldError {
  return { reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value', field };
}

export function fieldForbidden(field: string, detail = ''): FieldError {
  return { reason: 'FieldValueForbidden', message: detail ? `Forbidden: ${detail}` : 'Forbidden', field };
}

export function fieldTooLong(field: string, maxLength: number): FieldError {
  return { reason: 'FieldValueTooLong', message: `Too long: must have at most ${maxLength} bytes`, field };
}

export function fieldDuplicate(field: string, value: string | number | boolean | GoRendered): FieldError {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${renderValue(value)}`, field };
}

export function fieldNotSupported(field: string, value: string | number | boolean | GoRendered, validValues: readonly string[]): FieldError {
  const body = `Unsupported value: ${renderValue(value)}`;
  return {
    reason: 'FieldValueNotSupported',
    message: validValues.length ? `${body}: supported values: ${validValues.map(goQuote).join(', ')}` : body,
    field,
  };
}

/** `field: body` as field.Error.Error() prints it (a nil path prints as `<nil>`). */
export function fieldErrorString(e: StatusCause): string {
  return `${e.field ?? '<nil>'}: ${e.message ?? ''}`;
}

/**
 * utilerrors.Aggregate's text for a list of field errors: one error alone, or `[a, b]`,
 * with repeated messages dropped.
 */
export function aggregateString(errors: readonly StatusCause[]): string {
  const seen = [...new Set(errors.map(fieldErrorString))];
  return seen.length === 1 ? seen[0]! : `[${seen.join(', ')}]`;
}

// ---- string format checks (util/validation) ----

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

export const emptyError = 'must be non-empty';

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123LabelErrMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
export const DNS1123LabelMaxLength = 63;
const dns1123LabelRegexp = new RegExp(`^${dns1123LabelFmt}$`);

const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
export const DNS1123SubdomainMaxLength = 253;
const dns1123SubdomainRegexp = new RegExp(`^${dns1123SubdomainFmt}$`);

const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035LabelErrMsg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
export const DNS1035LabelMaxLength = 63;
const dns1035LabelRegexp = new RegExp(`^${dns1035LabelFmt}$`);

const qualifiedNameCharFmt = '[A-Za-z0-9]';
const qualifiedNameExtCharFmt = '[-A-Za-z0-9_.]';
const qualifiedNameFmt = `(${qualifiedNameCharFmt}${qualifiedNameExtCharFmt}*)?${qualifiedNameCharFmt}`;
const qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameMaxLength = 63;
const qualifiedNameRegexp = new RegExp(`^${qualifiedNameFmt}$`);

const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
export const LabelValueMaxLength = 63;
const labelValueRegexp = new RegExp(`^${labelValueFmt}$`);

/** RFC 1123 label: the rule for namespace names and most DNS-visible names. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123LabelMaxLength) errs.push(maxLenError(DNS1123LabelMaxLength));
  if (!dns1123LabelRegexp.test(value)) {
    // A valid subdomain that is not a valid label (length already checked) must contain dots.
    if (dns1123SubdomainRegexp.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(dns1123LabelErrMsg, dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errs;
}

/** RFC 1123 subdomain: the rule for most object names. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!dns1123SubdomainRegexp.test(value)) errs.push(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, 'example.com'));
  return errs;
}

/** RFC 1035 label: the rule for Service names. */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1035LabelMaxLength) errs.push(maxLenError(DNS1035LabelMaxLength));
  if (!dns1035LabelRegexp.test(value)) errs.push(regexError(dns1035LabelErrMsg, dns1035LabelFmt, 'my-name', 'abc-123'));
  return errs;
}

/** A qualified name: `[prefix/]name`, the rule for label and annotation keys and finalizers. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push(`prefix part ${emptyError}`);
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    errs.push(
      `a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    );
    return errs;
  }
  if (name.length === 0) errs.push(`name part ${emptyError}`);
  else if (byteLength(name) > qualifiedNameMaxLength) errs.push(`name part ${maxLenError(qualifiedNameMaxLength)}`);
  if (!qualifiedNameRegexp.test(name)) errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** A label value: empty, or at most 63 characters of `[-A-Za-z0-9_.]` starting and ending alphanumeric. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LabelValueMaxLength) errs.push(maxLenError(LabelValueMaxLength));
  if (!labelValueRegexp.test(value)) errs.push(regexError(labelValueErrMsg, labelValueFmt, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---- name validators (api/validation/generic.go): (name, prefix) => messages ----

/** Validates a name, or with prefix=true a generateName prefix. */
export type NameValidator = (name: string, prefix: boolean) => string[];

// A generateName prefix may end in '-'; the random suffix makes the final name valid.
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? name.slice(0, -2) + 'a' : name;
}

export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/** Names that are only path segments (e.g. RBAC roles): not "." or "..", no "/" or "%". */
export const validatePathSegmentName: NameValidator = (name, prefix) => {
  if (!prefix && (name === '.' || name === '..')) return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
};

/** Namespace names are DNS labels. */
export const validateNamespaceName: NameValidator = nameIsDNSLabel;

// ---- generateName (storage/names.SimpleNameGenerator) ----

const randomAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
const maxNameLength = 63;
const randomLength = 5;
export const maxGeneratedNameLength = maxNameLength - randomLength;

/** `prefix` (cut to 58 characters) followed by 5 random characters, as the registry does for generateName. */
export function generateName(prefix: string, random: (max: number) => number = randomInt): string {
  const base = prefix.length > maxGeneratedNameLength ? prefix.slice(0, maxGeneratedNameLength) : prefix;
  let suffix = '';
  for (let i = 0; i < randomLength; i++) suffix += randomAlphabet[random(randomAlphabet.length)];
  return base + suffix;
}

// ---- ObjectMeta ----

export const totalAnnotationSizeLimitB = 256 * (1 << 10);

export interface OwnerReferenceLike {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMetaLike {
  name?: string;
  generateName?: string;
  namespace?: string;
  generation?: number;
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
  ownerReferences?: OwnerReferenceLike[] | null;
  finalizers?: string[] | null;
}

export interface ObjectMetaOptions {
  /** Namespaced kinds require metadata.namespace; cluster-scoped kinds forbid it. */
  namespaced: boolean;
  /** The kind's name rule; nameIsDNSSubdomain (most kinds) when omitted. */
  nameValidator?: NameValidator;
  /** Path of the ObjectMeta; "metadata" unless validating an embedded template. */
  path?: string;
}

/** Labels: keys are qualified names, values label values (v1validation.ValidateLabels). */
export function validateLabels(labels: Record<string, string> | null | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(fieldInvalid(field, k, msg));
    for (const msg of isValidLabelValue(v)) errs.push(fieldInvalid(field, v, msg));
  }
  return errs;
}

/** Annotations: keys are case-insensitive qualified names; keys and values total at most 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | null | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldInvalid(field, k, msg));
    total += byteLength(k) + byteLength(v);
  }
  if (total > totalAnnotationSizeLimitB) errs.push(fieldTooLong(field, totalAnnotationSizeLimitB));
  return errs;
}

// schema.ParseGroupVersion as FromAPIVersionAndKind uses it: an unparsable apiVersion yields no version.
function groupVersion(apiVersion: string): { group: string; version: string } {
  if (apiVersion === '') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: apiVersion };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return { group: '', version: '' };
}

function goBoolPtr(v: boolean | undefined): string {
  return v === undefined ? '(*bool)(nil)' : `&${v}`;
}

function ownerReferenceGo(ref: OwnerReferenceLike): string {
  return (
    `v1.OwnerReference{APIVersion:${goQuote(ref.apiVersion ?? '')}, Kind:${goQuote(ref.kind ?? '')}, Name:${goQuote(ref.name ?? '')}, ` +
    `UID:${goQuote(ref.uid ?? '')}, Controller:${goBoolPtr(ref.controller)}, BlockOwnerDeletion:${goBoolPtr(ref.blockOwnerDeletion)}}`
  );
}

export function validateOwnerReferences(refs: readonly OwnerReferenceLike[] | null | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const gv = groupVersion(ref.apiVersion ?? '');
    const kind = ref.kind ?? '';
    if (!gv.version) errs.push(fieldInvalid(`${field}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!kind) errs.push(fieldInvalid(`${field}.kind`, kind, 'must not be empty'));
    if (!ref.name) errs.push(fieldInvalid(`${field}.name`, ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(fieldInvalid(`${field}.uid`, ref.uid ?? '', 'must not be empty'));
    if (gv.group === '' && gv.version === 'v1' && kind === 'Event') {
      errs.push(fieldInvalid(field, { goSyntax: ownerReferenceGo(ref) }, `${gv.group}/${gv.version}, Kind=${kind} is disallowed from being an owner`));
    }
    if (ref.controller) {
      const current = `${kind}/${ref.name ?? ''}`;
      if (firstController) {
        errs.push(
          fieldInvalid(
            field,
            { goSyntax: `[]v1.OwnerReference{${(refs ?? []).map(ownerReferenceGo).join(', ')}}` },
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: readonly string[] | null | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) for (const msg of isQualifiedName(f)) errs.push(fieldInvalid(field, f, msg));
  if (finalizers?.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(fieldInvalid(field, { goSyntax: goStringSlice(finalizers) }, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

/**
 * ValidateObjectMeta on create: run after generateName produced a name. Returns every problem
 * in upstream's order (generateName, name, namespace, generation, labels, annotations,
 * ownerReferences, finalizers).
 */
export function validateObjectMeta(meta: ObjectMetaLike | null | undefined, options: ObjectMetaOptions): FieldError[] {
  const m = meta ?? {};
  const path = options.path ?? 'metadata';
  const nameValidator = options.nameValidator ?? nameIsDNSSubdomain;
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of nameValidator(m.generateName, true)) errs.push(fieldInvalid(`${path}.generateName`, m.generateName, msg));
  }
  if (!m.name) {
    errs.push(fieldRequired(`${path}.name`, 'name or generateName is required'));
  } else {
    for (const msg of nameValidator(m.name, false)) errs.push(fieldInvalid(`${path}.name`, m.name, msg));
  }
  if (options.namespaced) {
    if (!m.namespace) errs.push(fieldRequired(`${path}.namespace`));
    else for (const msg of validateNamespaceName(m.namespace, false)) errs.push(fieldInvalid(`${path}.namespace`, m.namespace, msg));
  } else if (m.namespace) {
    errs.push(fieldForbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  if (m.generation !== undefined && m.generation < 0) errs.push(fieldInvalid(`${path}.generation`, m.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  return errs;
}
