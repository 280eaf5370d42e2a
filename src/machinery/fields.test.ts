import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { everythingFields, parseFieldSelector, requireFields } from './fields.ts';
import { StatusError } from './status.ts';

const badRequestWith = (message: string) => (e: unknown) => {
  assert.ok(e instanceof StatusError);
  assert.equal(e.code, 400);
  assert.equal(e.reason, 'BadRequest');
  assert.equal(e.message, message);
  return true;
};

describe('parseFieldSelector (fields.ParseSelector)', () => {
  const cases: [string, [string, '=' | '!=', string][], string][] = [
    ['', [], ''],
    [',', [], ''],
    ['metadata.name=web', [['metadata.name', '=', 'web']], 'metadata.name=web'],
    ['metadata.name==web', [['metadata.name', '=', 'web']], 'metadata.name=web'],
    ['status.phase!=Running', [['status.phase', '!=', 'Running']], 'status.phase!=Running'],
    ['metadata.namespace=', [['metadata.namespace', '=', '']], 'metadata.namespace='],
    // terms come back sorted, as upstream sorts them before parsing
    ['spec.nodeName=n1,metadata.name=a,', [['metadata.name', '=', 'a'], ['spec.nodeName', '=', 'n1']], 'metadata.name=a,spec.nodeName=n1'],
    // escapes in values
    ['a=x\\,y', [['a', '=', 'x,y']], 'a=x\\,y'],
    ['a=x\\=y', [['a', '=', 'x=y']], 'a=x\\=y'],
    ['a=x\\\\y', [['a', '=', 'x\\y']], 'a=x\\\\y'],
    ['a!=\\,', [['a', '!=', ',']], 'a!=\\,'],
    // "!=" and "==" are tried before "=" at each position
    ['x==a', [['x', '=', 'a']], 'x=a'],
    ['x!=a', [['x', '!=', 'a']], 'x!=a'],
  ];
  for (const [input, want, str] of cases) {
    it(JSON.stringify(input), () => {
      const sel = parseFieldSelector(input);
      assert.deepEqual(
        sel.requirements.map((r) => [r.field, r.operator, r.value]),
        want,
      );
      assert.equal(sel.empty, want.length === 0);
      assert.equal(sel.toString(), str);
    });
  }

  const bad: [string, string][] = [
    ['a', "invalid selector: 'a'; can't understand 'a'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    // upstream prints the offending rune with %v: its code point
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a!==b', 'invalid field selector: unescaped character in value: 61'],
    ['a=b\\,c,e', "invalid selector: 'a=b\\,c,e'; can't understand 'e'"],
    ['a=\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [input, message] of bad) it(`rejects ${JSON.stringify(input)}`, () => assert.throws(() => parseFieldSelector(input), badRequestWith(message)));
});

describe('matching', () => {
  const object: Record<string, string> = { 'metadata.name': 'web-1', 'status.phase': 'Running', 'spec.nodeName': 'n1' };
  const get = (f: string) => object[f];
  const cases: [string, boolean][] = [
    ['', true],
    ['metadata.name=web-1', true],
    ['metadata.name=web-2', false],
    ['metadata.name!=web-2', true],
    ['status.phase=Running,spec.nodeName=n1', true],
    ['status.phase=Running,spec.nodeName=n2', false],
    ['metadata.namespace=', true],
    ['metadata.namespace!=', false],
    ['metadata.namespace=default', false],
    ['spec.nodeName!=', true],
  ];
  for (const [sel, want] of cases) it(`${JSON.stringify(sel)} → ${want}`, () => assert.equal(parseFieldSelector(sel).matches(get), want));

  it('requiresExactMatch gives the pinned value of an = term', () => {
    const sel = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed');
    assert.equal(sel.requiresExactMatch('spec.nodeName'), 'n1');
    assert.equal(sel.requiresExactMatch('status.phase'), undefined);
    assert.equal(everythingFields.matches(() => undefined), true);
  });
});

describe('requireFields (field label conversion)', () => {
  const meta = new Set(['metadata.name', 'metadata.namespace']);
  const pods = new Set([...meta, 'spec.nodeName', 'status.phase']);
  const cases: [string, Set<string>, string, string | undefined][] = [
    ['metadata.name=a,metadata.namespace=b', meta, 'configmaps', undefined],
    ['spec.nodeName=n1', pods, 'pods', undefined],
    ['spec.foo=x', meta, 'configmaps', '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['spec.foo=x', pods, 'pods', 'field label not supported: spec.foo'],
    ['=x', pods, 'pods', 'field label not supported: '],
    ['status.succeeded=1', new Set([...meta, 'status.successful']), 'jobs', 'field label "status.succeeded" not supported for batchv1.Job'],
    // the first unsupported field in selector order is reported
    ['z.b=1,a.b=2', meta, 'configmaps', '"a.b" is not a known field selector: only "metadata.name", "metadata.namespace"'],
  ];
  for (const [sel, supported, resource, message] of cases) {
    it(`${sel} on ${resource}`, () => {
      const s = parseFieldSelector(sel);
      if (message === undefined) requireFields(s, supported, resource);
      else assert.throws(() => requireFields(s, supported, resource), badRequestWith(message));
    });
  }
});
