// `$(VAR)` expansion pinned to upstream's expansion package cases, plus command/args and subPathExpr.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expand, expandCommand, expandSubPathExpr, mappingFuncFor } from './expansion.ts';

const vars = new Map([
  ['VAR_A', 'A'],
  ['VAR_B', 'B'],
  ['VAR_C', 'C'],
  ['VAR_REF', '$(VAR_A)'],
  ['VAR_EMPTY', ''],
]);
const mapping = mappingFuncFor(vars);

describe('expand (upstream expansion semantics)', () => {
  const cases: [string, string][] = [
    ['$(VAR_A)', 'A'],
    ['___$(VAR_B)___', '___B___'],
    ['$(VAR_A)-$(VAR_A)', 'A-A'],
    ['$(VAR_A)$(VAR_B)$(VAR_C)', 'ABC'],
    ['$(VAR_REF)', '$(VAR_A)'],
    ['$(VAR_EMPTY)', ''],
    ['$(VAR_DNE)', '$(VAR_DNE)'],
    ['$()', '$()'],
    ['f000-$$VAR_A', 'f000-$VAR_A'],
    ['$$(VAR_B)_$(VAR_A)', '$(VAR_B)_A'],
    ['$$$$$$(BIG_MONEY)', '$$$(BIG_MONEY)'],
    ['$$$$$$$(BIG_MONEY)', '$$$$(BIG_MONEY)'],
    ['$$$$$$$(VAR_A)', '$$$A'],
    ['foo\\$(VAR_C)bar', 'foo\\Cbar'],
    ['$(VAR_A', '$(VAR_A'],
    ['$(VAR_A$(VAR_B)', '$(VAR_A$(VAR_B)'],
    ['$((VAR_A)', '$((VAR_A)'],
    ['$', '$'],
    ['$$', '$'],
    ['$$$', '$$'],
    ['$VAR_A', '$VAR_A'],
    ['$(VAR_A)$', 'A$'],
    ['$ü$(VAR_B)', '$üB'],
    ['$😀$(VAR_C)', '$😀C'],
    ['', ''],
    ['no refs', 'no refs'],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => assert.equal(expand(input, mapping), want));
  }

  it('looks names up in the contexts in order', () => {
    const m = mappingFuncFor(new Map([['X', 'first']]), new Map([['X', 'second'], ['Y', 'y']]));
    assert.equal(expand('$(X)$(Y)', m), 'firsty');
  });
});

describe('expandCommand', () => {
  it('expands command and args with the container environment, the last duplicate winning', () => {
    const env = [
      { key: 'GREETING', value: 'hello' },
      { key: 'NAME', value: 'old' },
      { key: 'NAME', value: 'world' },
    ];
    assert.deepEqual(expandCommand(['sh', '-c', 'echo $(GREETING)'], ['$(NAME)', '$$(NAME)', '$(MISSING)'], env), {
      command: ['sh', '-c', 'echo hello'],
      args: ['world', '$(NAME)', '$(MISSING)'],
    });
    assert.deepEqual(expandCommand(undefined, undefined, env), { command: [], args: [] });
  });
});

describe('expandSubPathExpr', () => {
  const env = [
    { key: 'POD_NAME', value: 'web-0' },
    { key: 'EMPTY', value: '' },
  ];
  it('expands references', () => assert.equal(expandSubPathExpr('logs/$(POD_NAME)', env), 'logs/web-0'));
  it('refuses unset and empty variables, naming them sorted', () => {
    assert.throws(() => expandSubPathExpr('$(Z)/$(EMPTY)/$(A)/$(POD_NAME)', env), { message: 'missing value for A, EMPTY, Z' });
  });
});
