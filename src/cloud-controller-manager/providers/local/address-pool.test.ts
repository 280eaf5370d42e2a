import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressPool } from './address-pool.ts';

test('allocates the lowest free address, skipping network and broadcast, without duplicates', () => {
  const pool = new AddressPool(['127.200.0.0/30']);
  assert.equal(pool.size, 2);
  assert.equal(pool.allocate('a'), '127.200.0.1');
  assert.equal(pool.allocate('b'), '127.200.0.2');
  assert.equal(pool.allocate('c'), undefined, 'exhausted');
  pool.release('127.200.0.1');
  assert.equal(pool.allocate('c'), '127.200.0.1', 'a freed address is handed out again');
});

test('prefers a free candidate in the pool; ranges and /32 work', () => {
  const pool = new AddressPool(['10.0.0.10-10.0.0.12', '192.0.2.7/32']);
  assert.equal(pool.allocate('a', ['192.0.2.7']), '192.0.2.7');
  assert.equal(pool.allocate('b', ['192.0.2.7', '8.8.8.8', '10.0.0.12']), '10.0.0.12', 'taken and outside candidates are passed over');
  assert.equal(pool.allocate('a', ['192.0.2.7']), '192.0.2.7', 'an owner keeps what it holds');
  assert.equal(pool.ownerOf('10.0.0.12'), 'b');
  assert.equal(pool.contains('10.0.0.13'), false);
});

test('refuses what is not an IPv4 pool', () => {
  assert.throws(() => new AddressPool(['fd00::/64']), /not an IPv4 CIDR or range/);
  assert.throws(() => new AddressPool(['10.0.0.9-10.0.0.1']), /ends before it starts/);
  assert.throws(() => new AddressPool([]), /no addresses/);
});
