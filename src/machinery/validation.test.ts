import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  generateName,
  goQuote,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  maxGeneratedNameLength,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  validateObjectMeta,
  validatePathSegmentName,
  type FieldError,
} from './validation.ts';
import { invalid } from './status.ts';

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1035Msg =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const nameRegexMsg =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const labelValueMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('string formats (util/validation)', () => {
  const cases: [string, (v: string) => string[], string, string[]][] = [
    ['subdomain ok', isDNS1123Subdomain, 'example.com', []],
    ['subdomain digits', isDNS1123Subdomain, '1.2.3', []],
    ['subdomain upper', isDNS1123Subdomain, 'Foo_bar', [subdomainMsg]],
    ['subdomain trailing dot', isDNS1123Subdomain, 'a.', [subdomainMsg]],
    ['subdomain too long', isDNS1123Subdomain, 'a'.repeat(254), ['must be no more than 253 characters']],
    ['subdomain 253', isDNS1123Subdomain, `${'a'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(61)}`, []],
    ['label ok', isDNS1123Label, 'my-name', []],
    ['label leading digit', isDNS1123Label, '123-abc', []],
    ['label dots', isDNS1123Label, 'a.b', ['must not contain dots']],
    ['label dash end', isDNS1123Label, 'a-', [labelMsg]],
    ['label empty', isDNS1123Label, '', [labelMsg]],
    ['label too long', isDNS1123Label, 'a'.repeat(64), ['must be no more than 63 characters']],
    ['label too long and bad', isDNS1123Label, 'A'.repeat(64), ['must be no more than 63 characters', labelMsg]],
    ['1035 ok', isDNS1035Label, 'abc-123', []],
    ['1035 digit start', isDNS1035Label, '1abc', [dns1035Msg]],
    ['qualified plain', isQualifiedName, 'MyName', []],
    ['qualified prefixed', isQualifiedName, 'example.com/my.name_1', []],
    ['qualified empty', isQualifiedName, '', ['name part must be non-empty', nameRegexMsg]],
    ['qualified empty prefix', isQualifiedName, '/a', ['prefix part must be non-empty']],
    ['qualified bad prefix', isQualifiedName, 'Example.com/a', [`prefix part ${subdomainMsg}`]],
    ['qualified empty name', isQualifiedName, 'example.com/', ['name part must be non-empty', nameRegexMsg]],
    ['qualified long name', isQualifiedName, 'a'.repeat(64), ['name part must be no more than 63 characters']],
    [
      'qualified two slashes',
      isQualifiedName,
      'a/b/c',
      [
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    ],
    ['label value empty', isValidLabelValue, '', []],
    ['label value ok', isValidLabelValue, 'my_value-1.2', []],
    ['label value bad', isValidLabelValue, 'a b', [labelValueMsg]],
    ['label value long', isValidLabelValue, 'a'.repeat(64), ['must be no more than 63 characters']],
  ];
  for (const [name, fn, value, want] of cases) it(name, () => assert.deepEqual(fn(value), want));
});

describe('name validators (api/validation: name, or generateName prefix)', () => {
  it('a prefix may end with a dash', () => {
    assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
    assert.deepEqual(nameIsDNSSubdomain('web-', false), [subdomainMsg]);
    assert.deepEqual(nameIsDNSLabel('web-', true), []);
    assert.deepEqual(nameIsDNS1035Label('web-', true), []);
    assert.deepEqual(nameIsDNSSubdomain('-', true), [subdomainMsg], 'a lone dash is not masked');
  });
  it('path segment names', () => {
    assert.deepEqual(validatePathSegmentName('system:admin', false), []);
    assert.deepEqual(validatePathSegmentName('..', false), ["may not be '..'"]);
    assert.deepEqual(validatePathSegmentName('..', true), []);
    assert.deepEqual(validatePathSegmentName('a/b%c', false), ["may not contain '/'", "may not contain '%'"]);
  });
});

describe('goQuote (Go %q)', () => {
  const cases: [string, string][] = [
    ['abc', '"abc"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\n\t\x00\x7f', '"\\n\\t\\x00\\x7f"'],
    ['héllo', '"héllo"'],
    ['\u200b', '"\\u200b"'],
  ];
  for (const [input, want] of cases) it(JSON.stringify(input), () => assert.equal(goQuote(input), want));
});

describe('validateObjectMeta (ValidateObjectMeta on create)', () => {
  const ns = { namespaced: true, nameValidator: nameIsDNSSubdomain };
  const cluster = { namespaced: false, nameValidator: nameIsDNSSubdomain };
  const cases: [string, Parameters<typeof validateObjectMeta>[0], Parameters<typeof validateObjectMeta>[1], FieldError[]][] = [
    ['valid namespaced', { name: 'web', namespace: 'default' }, ns, []],
    ['valid cluster-scoped', { name: 'node-1' }, cluster, []],
    ['name required', { namespace: 'default' }, ns, [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]],
    [
      'invalid name',
      { name: 'Foo_bar', namespace: 'default' },
      ns,
      [{ reason: 'FieldValueInvalid', message: `Invalid value: "Foo_bar": ${subdomainMsg}`, field: 'metadata.name' }],
    ],
    [
      'invalid generateName and name',
      { name: 'Web-abcde', generateName: 'Web-', namespace: 'default' },
      ns,
      [
        { reason: 'FieldValueInvalid', message: `Invalid value: "Web-": ${subdomainMsg}`, field: 'metadata.generateName' },
        { reason: 'FieldValueInvalid', message: `Invalid value: "Web-abcde": ${subdomainMsg}`, field: 'metadata.name' },
      ],
    ],
    ['namespace required', { name: 'web' }, ns, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.namespace' }]],
    ['namespace forbidden', { name: 'n', namespace: 'default' }, cluster, [{ reason: 'FieldValueForbidden', message: 'Forbidden: not allowed on this type', field: 'metadata.namespace' }]],
    [
      'namespace is a DNS label',
      { name: 'web', namespace: 'a.b' },
      ns,
      [{ reason: 'FieldValueInvalid', message: 'Invalid value: "a.b": must not contain dots', field: 'metadata.namespace' }],
    ],
    [
      'negative generation',
      { name: 'web', namespace: 'd', generation: -1 },
      ns,
      [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'metadata.generation' }],
    ],
    [
      'label key and value',
      { name: 'web', namespace: 'd', labels: { 'bad key': 'ok', good: 'bad value' } },
      ns,
      [
        { reason: 'FieldValueInvalid', message: `Invalid value: "bad key": ${nameRegexMsg}`, field: 'metadata.labels' },
        { reason: 'FieldValueInvalid', message: `Invalid value: "bad value": ${labelValueMsg}`, field: 'metadata.labels' },
      ],
    ],
    ['annotation keys ignore case', { name: 'web', namespace: 'd', annotations: { 'Example.COM/Key': 'any value at all' } }, ns, []],
    [
      'bad annotation key',
      { name: 'web', namespace: 'd', annotations: { 'a b': '' } },
      ns,
      [{ reason: 'FieldValueInvalid', message: `Invalid value: "a b": ${nameRegexMsg}`, field: 'metadata.annotations' }],
    ],
    [
      'annotations too large',
      { name: 'web', namespace: 'd', annotations: { a: 'x'.repeat(256 * 1024) } },
      ns,
      [{ reason: 'FieldValueTooLong', message: 'Too long: must have at most 262144 bytes', field: 'metadata.annotations' }],
    ],
    ['annotations at the limit', { name: 'web', namespace: 'd', annotations: { a: 'x'.repeat(256 * 1024 - 1) } }, ns, []],
    [
      'owner reference fields',
      { name: 'web', namespace: 'd', ownerReferences: [{ apiVersion: 'apps/', kind: '', name: '', uid: '' }] },
      ns,
      [
        { reason: 'FieldValueInvalid', message: 'Invalid value: "apps/": version must not be empty', field: 'metadata.ownerReferences.apiVersion' },
        { reason: 'FieldValueInvalid', message: 'Invalid value: "": must not be empty', field: 'metadata.ownerReferences.kind' },
        { reason: 'FieldValueInvalid', message: 'Invalid value: "": must not be empty', field: 'metadata.ownerReferences.name' },
        { reason: 'FieldValueInvalid', message: 'Invalid value: "": must not be empty', field: 'metadata.ownerReferences.uid' },
      ],
    ],
    [
      'an Event cannot own',
      { name: 'web', namespace: 'd', ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' }] },
      ns,
      [
        {
          reason: 'FieldValueInvalid',
          message:
            'Invalid value: v1.OwnerReference{APIVersion:"v1", Kind:"Event", Name:"e", UID:"u", Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}: /v1, Kind=Event is disallowed from being an owner',
          field: 'metadata.ownerReferences',
        },
      ],
    ],
    [
      'finalizers',
      { name: 'web', namespace: 'd', finalizers: ['kubernetes.io/pvc-protection', 'bad finalizer', 'orphan', 'foregroundDeletion'] },
      ns,
      [
        { reason: 'FieldValueInvalid', message: `Invalid value: "bad finalizer": ${nameRegexMsg}`, field: 'metadata.finalizers' },
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: []string{"kubernetes.io/pvc-protection", "bad finalizer", "orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
          field: 'metadata.finalizers',
        },
      ],
    ],
    [
      'a template path',
      { name: 'Bad' },
      { namespaced: false, nameValidator: nameIsDNSLabel, path: 'spec.template.metadata' },
      [{ reason: 'FieldValueInvalid', message: `Invalid value: "Bad": ${labelMsg}`, field: 'spec.template.metadata.name' }],
    ],
  ];
  for (const [name, meta, opts, want] of cases) it(name, () => assert.deepEqual(validateObjectMeta(meta, opts), want));

  it('one controller reference at most', () => {
    const refs = [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true },
    ];
    const errs = validateObjectMeta({ name: 'p', namespace: 'd', ownerReferences: refs }, ns);
    assert.equal(errs.length, 1);
    assert.equal(errs[0]!.field, 'metadata.ownerReferences');
    assert.match(errs[0]!.message, /^Invalid value: \[\]v1\.OwnerReference\{v1\.OwnerReference\{APIVersion:"apps\/v1", /);
    assert.match(errs[0]!.message, /: Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/a and ReplicaSet\/b$/);
  });

  it('defaults the name rule to DNS subdomain and renders as upstream in an Invalid status', () => {
    const causes = validateObjectMeta({ name: 'Foo_bar', namespace: 'default' }, { namespaced: true });
    const err = invalid('', 'ConfigMap', 'Foo_bar', causes);
    assert.equal(err.code, 422);
    assert.equal(err.message, `ConfigMap "Foo_bar" is invalid: metadata.name: Invalid value: "Foo_bar": ${subdomainMsg}`);
  });
});

describe('generateName (SimpleNameGenerator)', () => {
  it('appends five characters from the upstream alphabet', () => {
    for (let i = 0; i < 50; i++) assert.match(generateName('web-'), /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
  it('is driven by the given random source', () => {
    assert.equal(generateName('x-', () => 0), 'x-bbbbb');
    assert.equal(generateName('x-', (n) => n - 1), 'x-99999');
  });
  it('cuts the prefix to 58 characters so the name fits in 63', () => {
    assert.equal(maxGeneratedNameLength, 58);
    const name = generateName('a'.repeat(100));
    assert.equal(name.length, 63);
    assert.ok(name.startsWith('a'.repeat(58)));
    assert.equal(generateName('a'.repeat(58)).length, 63);
    assert.equal(generateName('ab').length, 7);
  });
});
