import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { parseTerminalSizes, terminalSizes } from './resize.ts';
import { remoteCommandOptionsFromQuery } from './remote-command.ts';
import { portsFromQuery } from './port-forward.ts';

describe('resize events', () => {
  it('parses objects back to back, keeping an incomplete one for later', () => {
    assert.deepEqual(parseTerminalSizes('{"Width":80,"Height":24}\n{"Width":1'), { sizes: [{ width: 80, height: 24 }], rest: '\n{"Width":1' });
    assert.deepEqual(parseTerminalSizes('{"Width":2,"Height":3,"x":"}{"}').sizes, [{ width: 2, height: 3 }]);
    assert.throws(() => parseTerminalSizes('[1]'), SyntaxError);
  });

  it('gives a late reader the newest size and ends with the source', async () => {
    const source = new PassThrough();
    const sizes = terminalSizes(source);
    source.write('{"Width":10,"Height":5}{"Width":');
    source.end('20,"Height":6}');
    await new Promise((resolve) => setImmediate(resolve));
    const seen = [];
    for await (const size of sizes) seen.push(size);
    assert.deepEqual(seen, [{ width: 20, height: 6 }]);
  });

  it('stops at malformed input without holding up the source', async () => {
    const source = new PassThrough();
    const sizes = terminalSizes(source);
    source.end('not json, and then a lot more'.repeat(10_000));
    const seen = [];
    for await (const size of sizes) seen.push(size);
    assert.deepEqual(seen, []);
  });
});

describe('request options', () => {
  it("reads exec flags under the kubelet's names and the API's", () => {
    const kubelet = remoteCommandOptionsFromQuery(new URLSearchParams('command=ls&command=-l&input=1&output=1&error=1&tty=1'));
    assert.deepEqual(kubelet, { stdin: true, stdout: true, stderr: true, tty: true, command: ['ls', '-l'], container: '' });
    const api = remoteCommandOptionsFromQuery(new URLSearchParams('command=ls&container=c&stdin=false&stdout=true&stderr=true&tty=false'));
    assert.deepEqual(api, { stdin: false, stdout: true, stderr: true, tty: false, command: ['ls'], container: 'c' });
  });

  it('reads port-forward ports from port or ports, and refuses bad ones', () => {
    assert.deepEqual(portsFromQuery(new URLSearchParams('port=80&port=443,8080')), [80, 443, 8080]);
    assert.deepEqual(portsFromQuery(new URLSearchParams('ports=5432')), [5432]);
    assert.throws(() => portsFromQuery(new URLSearchParams('')), /query parameter "port" is required/);
    assert.throws(() => portsFromQuery(new URLSearchParams('port=0')), /must be > 0/);
    assert.throws(() => portsFromQuery(new URLSearchParams('port=http')), /unable to parse "http" as a port/);
  });
});
