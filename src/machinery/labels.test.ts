import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { everything, formatLabelSelector, fromLabelSelector, nothing, parseLabelSelector, selectorFromSet, type LabelSelectorSpec } from './labels.ts';
import { StatusError } from './status.ts';

const keyRegexError =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const valueRegexError =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('parseLabelSelector round-trips (upstream TestSelectorParse, TestSetSelectorParser)', () => {
  const cases: [string, string][] = [
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['', ''],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x=', 'x='],
    ['x= ', 'x='],
    ['x=,z= ', 'x=,z='],
    ['x= ,z= ', 'x=,z='],
    ['!x', '!x'],
    ['x>1', 'x>1'],
    ['x>1,z<5', 'x>1,z<5'],
    ['a==b', 'a=b'],
    ['\rx', 'x'],
    ['this-is-a-dns.domain.com/key-with-dash', 'this-is-a-dns.domain.com/key-with-dash'],
    ['this-is-another-dns.domain.com/key-with-dash in (so,what)', 'this-is-another-dns.domain.com/key-with-dash in (so,what)'],
    ['0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)', '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)'],
    ['foo  in\t (abc)', 'foo in (abc)'],
    ['x notin\n (abc)', 'x notin (abc)'],
    ['x in (def,abc,abc)', 'x in (abc,def)'],
    ['x in (abc,)', 'x in (,abc)'],
    ['x in (,abc)', 'x in (,abc)'],
    ['x in (a,,b)', 'x in (,a,b)'],
    ['x in ()', 'x in ()'],
    ['x notin (abc,def),bar,z in (),w', 'bar,w,x notin (abc,def),z in ()'],
    ['x,y in (a)', 'x,y in (a)'],
    ['x=a,a=x', 'a=x,x=a'],
    ['notin=in', 'notin=in'],
    ['in in (in,notin)', 'in in (in,notin)'],
    ['  app = web ,  tier!=db ', 'app=web,tier!=db'],
    ['z,!z', 'z,!z'],
  ];
  for (const [input, want] of cases) it(JSON.stringify(input), () => assert.equal(parseLabelSelector(input).toString(), want));

  it('keeps requirements sorted by key and exposes them', () => {
    const sel = parseLabelSelector('tier in (web, api),app=shop,!canary');
    assert.deepEqual(
      sel.requirements.map((r) => [r.key, r.operator, [...r.values]]),
      [
        ['app', 'Equals', ['shop']],
        ['canary', 'DoesNotExist', []],
        ['tier', 'In', ['api', 'web']],
      ],
    );
    assert.equal(sel.requiresExactMatch('app'), 'shop');
    assert.equal(sel.requiresExactMatch('tier'), undefined);
    assert.equal(parseLabelSelector('tier in (web)').requiresExactMatch('tier'), 'web');
  });
  it('the empty string selects everything', () => {
    const sel = parseLabelSelector('');
    assert.equal(sel.empty, true);
    assert.equal(sel.matches(undefined), true);
    assert.equal(parseLabelSelector('a').empty, false);
  });
});

describe('parseLabelSelector rejects bad input with a 400 and upstream wording', () => {
  const cases: [string, string][] = [
    ['x=a||y=b', `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${valueRegexError}`],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x<a', `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['a:', `unable to parse requirement: <nil>: Invalid value: "a:": ${keyRegexError}`],
    ['x IN (a)', "unable to parse requirement: found 'IN', expected: in, notin, =, ==, !=, gt, lt"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['x=a,', "found '', expected: identifier after ','"],
    [',x', "found ',', expected: !, identifier, or 'end of string'"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a/b/c', `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
    [
      'x in (-a,b-)',
      `unable to parse requirement: [values[0][x]: Invalid value: "-a": ${valueRegexError}, values[1][x]: Invalid value: "b-": ${valueRegexError}]`,
    ],
    [`${'k'.repeat(64)}`, `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`],
  ];
  for (const [input, message] of cases) {
    it(JSON.stringify(input), () => {
      assert.throws(
        () => parseLabelSelector(input),
        (e: unknown) => {
          assert.ok(e instanceof StatusError);
          assert.equal(e.code, 400);
          assert.equal(e.reason, 'BadRequest');
          assert.equal(e.message, message);
          return true;
        },
      );
    });
  }
});

describe('matching (upstream TestSelectorMatches, TestRequirementSelectorMatching)', () => {
  const labelset = { foo: 'bar', baz: 'blah' };
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ['', { x: 'y' }, true],
    ['x=y', { x: 'y' }, true],
    ['x=y,z=w', { x: 'y', z: 'w' }, true],
    ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
    ['notin=in', { notin: 'in' }, true],
    ['x', { x: 'z' }, true],
    ['!x', { y: 'z' }, true],
    ['x>1', { x: '2' }, true],
    ['x<1', { x: '0' }, true],
    ['x=z', {}, false],
    ['x=y', { x: 'z' }, false],
    ['x=y,z=w', { x: 'w', z: 'w' }, false],
    ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
    ['x', { y: 'z' }, false],
    ['!x', { x: 'z' }, false],
    ['x>1', { x: '0' }, false],
    ['x<1', { x: '2' }, false],
    ['x>1', {}, false],
    ['z>1', { z: 'v2' }, false],
    ['foo=bar', labelset, true],
    ['baz=blah', labelset, true],
    ['foo=bar,baz=blah', labelset, true],
    ['foo=blah', labelset, false],
    ['baz=bar', labelset, false],
    ['foo=bar,foobar=bar,baz=blah', labelset, false],
    ['x in (foo),y notin (alpha)', { x: 'foo', y: 'baz' }, true],
    ['x in (foo),y in (alpha)', { x: 'foo', y: 'baz' }, false],
    ['x notin (),y', { y: '' }, true],
    ['!x,y', { y: '' }, true],
    ['x notin (),!y', { y: '' }, false],
    ['x in ()', { y: 'baz' }, false],
    ['x in ()', { x: '' }, true],
    ['x=', { x: '' }, true],
    ['x!=a', undefined, true],
    ['x', undefined, false],
    ['constructor', {}, false],
    ['!toString', {}, true],
  ];
  for (const [sel, labels, want] of cases) {
    it(`${JSON.stringify(sel)} on ${JSON.stringify(labels)} → ${want}`, () => assert.equal(parseLabelSelector(sel).matches(labels), want));
  }
});

describe('fromLabelSelector (metav1.LabelSelectorAsSelector)', () => {
  it('null and undefined select nothing; {} selects everything', () => {
    for (const sel of [null, undefined]) {
      const s = fromLabelSelector(sel);
      assert.equal(s.matches({ a: 'b' }), false);
      assert.equal(s.empty, false);
      assert.equal(s.nothing, true);
      assert.equal(s.toString(), '');
    }
    for (const sel of [{}, { matchLabels: {}, matchExpressions: [] }, { matchLabels: null }]) {
      const s = fromLabelSelector(sel);
      assert.equal(s.matches({ a: 'b' }), true);
      assert.equal(s.matches(undefined), true);
      assert.equal(s.empty, true);
    }
    assert.equal(nothing.matches({}), false);
    assert.equal(everything.matches({}), true);
  });

  const cases: [LabelSelectorSpec, string, Record<string, string>, boolean][] = [
    [{ matchLabels: { app: 'web' } }, 'app=web', { app: 'web', x: 'y' }, true],
    [{ matchLabels: { tier: 'fe', app: 'web' } }, 'app=web,tier=fe', { app: 'web' }, false],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }, 'app=web,tier in (a,b)', { app: 'web', tier: 'b' }, true],
    [{ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, 'env notin (prod)', {}, true],
    [{ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, 'env', { env: '' }, true],
    [{ matchExpressions: [{ key: 'env', operator: 'DoesNotExist', values: [] }] }, '!env', { env: 'x' }, false],
  ];
  for (const [spec, str, labels, want] of cases) {
    it(`${str}`, () => {
      const sel = fromLabelSelector(spec);
      assert.equal(sel.toString(), str);
      assert.equal(sel.matches(labels), want);
      assert.equal(formatLabelSelector(spec), str);
    });
  }

  const bad: [LabelSelectorSpec, string][] = [
    [{ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] }, '"Equals" is not a valid pod selector operator'],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn' }] }, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist'],
    [{ matchLabels: { 'bad key': 'v' } }, `key: Invalid value: "bad key": ${keyRegexError}`],
    [{ matchLabels: { app: 'bad value' } }, `values[0][app]: Invalid value: "bad value": ${valueRegexError}`],
  ];
  for (const [spec, message] of bad) {
    it(`rejects ${JSON.stringify(spec)}`, () => {
      assert.throws(() => fromLabelSelector(spec), { message });
      assert.equal(formatLabelSelector(spec), '<error>');
    });
  }
});

describe('formatLabelSelector (metav1.FormatLabelSelector)', () => {
  it('prints <none> for a selector that prints as nothing', () => {
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector(null), '<none>');
  });
});

describe('selectorFromSet (labels.SelectorFromSet)', () => {
  it('requires every label in the set; an empty set selects everything', () => {
    const sel = selectorFromSet({ b: '2', a: '1' });
    assert.equal(sel.toString(), 'a=1,b=2');
    assert.equal(sel.matches({ a: '1', b: '2', c: '3' }), true);
    assert.equal(sel.matches({ a: '1' }), false);
    assert.equal(selectorFromSet(undefined).empty, true);
    assert.equal(selectorFromSet({}).matches({ x: 'y' }), true);
  });
});
