import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { createHTTPServer, replyText } from './http-server.ts';

/** Starts a GET whose answer the server holds back; resolves with how it ended. */
function hanging(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(`${url}/hang`, (res) => {
      res.resume();
      res.on('end', () => resolve(`answered ${res.statusCode}`));
      res.on('error', () => resolve('cut'));
    });
    req.on('error', () => resolve('cut'));
    req.end();
  });
}

function server(closeAllConnections: boolean) {
  let held: (() => void) | undefined;
  let arrived!: () => void;
  const waiting = new Promise<void>((r) => (arrived = r));
  const s = createHTTPServer({
    address: '127.0.0.1',
    port: 0,
    closeAllConnections,
    handler: (req, res) => {
      if (req.url !== '/hang') return replyText(res, 200, 'ok');
      held = () => replyText(res, 200, 'late');
      arrived();
    },
  });
  return { s, waiting, answer: () => held?.() };
}

test('binds a free port for 0, reports it, and answers plain text', async () => {
  const { s } = server(false);
  assert.equal(s.port, 0);
  await s.start();
  try {
    assert.ok(s.port > 0);
    assert.equal(s.url, `http://127.0.0.1:${s.port}`);
    const res = await fetch(`${s.url}/`);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await res.text(), 'ok');
  } finally {
    await s.close();
  }
  await s.close();
});

test('close ends idle connections and lets a request in flight finish, or cuts it when asked to', async () => {
  const gentle = server(false);
  await gentle.s.start();
  const finished = hanging(gentle.s.url);
  await gentle.waiting;
  const closed = gentle.s.close();
  gentle.answer();
  assert.equal(await finished, 'answered 200');
  await closed;

  const hard = server(true);
  await hard.s.start();
  const cut = hanging(hard.s.url);
  await hard.waiting;
  await hard.s.close();
  assert.equal(await cut, 'cut');
});
