import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errFormatWrong, errNumeric, errSuffix, newMilliQuantity, newQuantity, parseQuantity, Quantity, type QuantityFormat } from './quantity.ts';

// decQuantity(i, exponent, format) from upstream's quantity_test.go, as exact nano-units.
const dec = (i: bigint | number, exponent: number, format: QuantityFormat): Quantity => {
  const shift = exponent + 9;
  const n = BigInt(i);
  return new Quantity(shift >= 0 ? n * 10n ** BigInt(shift) : n / 10n ** BigInt(-shift), format);
};
const maxAllowed = new Quantity((2n ** 63n - 1n) * 1_000_000_000n, 'BinarySI');

describe('parseQuantity values and formats (upstream TestQuantityParse)', () => {
  const cases: [string, Quantity][] = [
    ['0', dec(0, 0, 'DecimalSI')],
    ['0n', dec(0, 0, 'DecimalSI')],
    ['0u', dec(0, 0, 'DecimalSI')],
    ['0m', dec(0, 0, 'DecimalSI')],
    ['0Ki', dec(0, 0, 'BinarySI')],
    ['0k', dec(0, 0, 'DecimalSI')],
    ['0Mi', dec(0, 0, 'BinarySI')],
    ['0M', dec(0, 0, 'DecimalSI')],
    ['0Gi', dec(0, 0, 'BinarySI')],
    ['0G', dec(0, 0, 'DecimalSI')],
    ['0Ti', dec(0, 0, 'BinarySI')],
    ['0T', dec(0, 0, 'DecimalSI')],
    ['1', dec(1, 0, 'DecimalSI')],
    ['1Ki', dec(1024, 0, 'BinarySI')],
    ['8Ki', dec(8 * 1024, 0, 'BinarySI')],
    ['7Mi', dec(7 * 1024 * 1024, 0, 'BinarySI')],
    ['6Gi', dec(6n * 1024n ** 3n, 0, 'BinarySI')],
    ['5Ti', dec(5n * 1024n ** 4n, 0, 'BinarySI')],
    ['4Pi', dec(4n * 1024n ** 5n, 0, 'BinarySI')],
    ['3Ei', dec(3n * 1024n ** 6n, 0, 'BinarySI')],
    ['10Ti', dec(10n * 1024n ** 4n, 0, 'BinarySI')],
    ['100Ti', dec(100n * 1024n ** 4n, 0, 'BinarySI')],
    ['5n', dec(5, -9, 'DecimalSI')],
    ['4u', dec(4, -6, 'DecimalSI')],
    ['3m', dec(3, -3, 'DecimalSI')],
    ['9', dec(9, 0, 'DecimalSI')],
    ['8k', dec(8, 3, 'DecimalSI')],
    ['50k', dec(5, 4, 'DecimalSI')],
    ['7M', dec(7, 6, 'DecimalSI')],
    ['6G', dec(6, 9, 'DecimalSI')],
    ['5T', dec(5, 12, 'DecimalSI')],
    ['40T', dec(4, 13, 'DecimalSI')],
    ['300T', dec(3, 14, 'DecimalSI')],
    ['2P', dec(2, 15, 'DecimalSI')],
    ['1E', dec(1, 18, 'DecimalSI')],
    ['1E-3', dec(1, -3, 'DecimalExponent')],
    ['1e3', dec(1, 3, 'DecimalExponent')],
    ['1E6', dec(1, 6, 'DecimalExponent')],
    ['1e9', dec(1, 9, 'DecimalExponent')],
    ['1E12', dec(1, 12, 'DecimalExponent')],
    ['1e15', dec(1, 15, 'DecimalExponent')],
    ['1E18', dec(1, 18, 'DecimalExponent')],
    ['1e14', dec(1, 14, 'DecimalExponent')],
    ['1e13', dec(1, 13, 'DecimalExponent')],
    ['100.035k', dec(100035, 0, 'DecimalSI')],
    ['0.001', dec(1, -3, 'DecimalSI')],
    ['0.0005k', dec(5, -1, 'DecimalSI')],
    ['0.005', dec(5, -3, 'DecimalSI')],
    ['0.05', dec(5, -2, 'DecimalSI')],
    ['0.5', dec(5, -1, 'DecimalSI')],
    ['0.00050k', dec(5, -1, 'DecimalSI')],
    ['0.00500', dec(5, -3, 'DecimalSI')],
    ['0.05000', dec(5, -2, 'DecimalSI')],
    ['0.50000', dec(5, -1, 'DecimalSI')],
    ['0.5e0', dec(5, -1, 'DecimalExponent')],
    ['0.5e-1', dec(5, -2, 'DecimalExponent')],
    ['0.5e-2', dec(5, -3, 'DecimalExponent')],
    ['10.035M', dec(10035, 3, 'DecimalSI')],
    ['1.2e3', dec(12, 2, 'DecimalExponent')],
    ['1.3E+6', dec(13, 5, 'DecimalExponent')],
    ['1.40e9', dec(14, 8, 'DecimalExponent')],
    ['1.53E12', dec(153, 10, 'DecimalExponent')],
    ['1.6e15', dec(16, 14, 'DecimalExponent')],
    ['1.7E18', dec(17, 17, 'DecimalExponent')],
    ['9.01', dec(901, -2, 'DecimalSI')],
    ['8.1k', dec(81, 2, 'DecimalSI')],
    ['7.123456M', dec(7123456, 0, 'DecimalSI')],
    ['6.987654321G', dec(6987654321, 0, 'DecimalSI')],
    ['5.444T', dec(5444, 9, 'DecimalSI')],
    ['40.1T', dec(401, 11, 'DecimalSI')],
    ['300.2T', dec(3002, 11, 'DecimalSI')],
    ['2.5P', dec(25, 14, 'DecimalSI')],
    ['1.01E', dec(101, 16, 'DecimalSI')],
    // things that saturate or round up
    ['3.001n', dec(4, -9, 'DecimalSI')],
    ['1.1E-9', dec(2, -9, 'DecimalExponent')],
    ['0.0000000001', dec(1, -9, 'DecimalSI')],
    ['0.0000000005', dec(1, -9, 'DecimalSI')],
    ['0.00000000050', dec(1, -9, 'DecimalSI')],
    ['0.5e-9', dec(1, -9, 'DecimalExponent')],
    ['0.9n', dec(1, -9, 'DecimalSI')],
    ['0.00000012345', dec(124, -9, 'DecimalSI')],
    ['0.00000012354', dec(124, -9, 'DecimalSI')],
    ['9Ei', maxAllowed],
    ['9223372036854775807Ki', maxAllowed],
    ['12E', dec(12, 18, 'DecimalSI')],
    // fractional binary
    ['100.035Ki', dec(10243584, -2, 'BinarySI')],
    ['0.5Mi', dec(0.5 * 1024 * 1024, 0, 'BinarySI')],
    ['0.05Gi', dec(536870912, -1, 'BinarySI')],
    ['0.025Ti', dec(274877906944, -1, 'BinarySI')],
    // written by trolls
    ['0.000000000001Ki', dec(2, -9, 'DecimalSI')],
    ['.001', dec(1, -3, 'DecimalSI')],
    ['.0001k', dec(100, -3, 'DecimalSI')],
    ['1.', dec(1, 0, 'DecimalSI')],
    ['1.G', dec(1, 9, 'DecimalSI')],
  ];
  for (const [input, want] of cases) {
    it(input, () => {
      for (const [prefix, sign] of [['', 1n], ['-', -1n], ['+', 1n]] as const) {
        const got = parseQuantity(prefix + input);
        assert.equal(got.nanos, want.nanos * sign, `${prefix}${input} value`);
        assert.equal(got.format, want.format, `${prefix}${input} format`);
      }
    });
  }
});

describe('parseQuantity rejects what upstream rejects', () => {
  const cases: [string, string][] = [
    ['', errFormatWrong],
    ['1.1.M', errFormatWrong],
    ['1+1.0M', errFormatWrong],
    ['0.1mi', errSuffix],
    ['0.1am', errFormatWrong],
    ['aoeu', errFormatWrong],
    ['.5i', errSuffix],
    ['1i', errSuffix],
    ['-3.01i', errSuffix],
    ['-3.01e-', errSuffix],
    ['1e4294967297', errSuffix],
    [' 1', errFormatWrong],
    ['1 ', errFormatWrong],
    ['Non-Numeric', errFormatWrong],
    ['e-12', errNumeric],
    ['1e999999', errNumeric],
  ];
  for (const [input, message] of cases) it(JSON.stringify(input), () => assert.throws(() => parseQuantity(input), { message }));
  it('says which regular expression quantities must match', () => {
    assert.equal(errFormatWrong, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });
  it('rejects NaN and infinities', () => {
    assert.throws(() => parseQuantity(Number.NaN), { message: errFormatWrong });
    assert.throws(() => parseQuantity(Number.POSITIVE_INFINITY), { message: errFormatWrong });
  });
});

describe('canonical form (upstream TestQuantityString)', () => {
  const cases: [Quantity, string, string][] = [
    [dec(1024 * 1024 * 1024, 0, 'BinarySI'), '1Gi', '1024Mi'],
    [dec(300 * 1024 * 1024, 0, 'BinarySI'), '300Mi', '307200Ki'],
    [dec(6 * 1024, 0, 'BinarySI'), '6Ki', ''],
    [dec(1001n * 1024n ** 3n, 0, 'BinarySI'), '1001Gi', '1025024Mi'],
    [dec(1024n ** 4n, 0, 'BinarySI'), '1Ti', '1024Gi'],
    [dec(5, 0, 'BinarySI'), '5', '5000m'],
    [dec(500, -3, 'BinarySI'), '500m', '0.5'],
    [dec(1, 9, 'DecimalSI'), '1G', '1000M'],
    [dec(1000, 6, 'DecimalSI'), '1G', '0.001T'],
    [dec(1000000, 3, 'DecimalSI'), '1G', ''],
    [dec(1000000000, 0, 'DecimalSI'), '1G', ''],
    [dec(1, -3, 'DecimalSI'), '1m', '1000u'],
    [dec(80, -3, 'DecimalSI'), '80m', ''],
    [dec(1080, -3, 'DecimalSI'), '1080m', '1.08'],
    [dec(108, -2, 'DecimalSI'), '1080m', '1080000000n'],
    [dec(10800, -4, 'DecimalSI'), '1080m', ''],
    [dec(300, 6, 'DecimalSI'), '300M', ''],
    [dec(1, 12, 'DecimalSI'), '1T', ''],
    [dec(1, 18, 'DecimalSI'), '1E', ''],
    [dec(1, 21, 'DecimalSI'), '1e21', '1000E'],
    [dec(5, 21, 'DecimalSI'), '5e21', '5000E'],
    [dec(1, 24, 'DecimalSI'), '1e24', '1000000E'],
    [dec(1, 70, 'BinarySI'), '10e69', ''],
    [dec(2, 70, 'BinarySI'), '20e69', ''],
    [dec(1, 72, 'BinarySI'), '1e72', ''],
    [dec(1234567, 6, 'DecimalSI'), '1234567M', ''],
    [dec(1234567, -3, 'BinarySI'), '1234567m', ''],
    [dec(3, 3, 'DecimalSI'), '3k', ''],
    [dec(1025, 0, 'BinarySI'), '1025', ''],
    [dec(0, 0, 'DecimalSI'), '0', ''],
    [dec(0, 0, 'BinarySI'), '0', ''],
    [dec(1, 9, 'DecimalExponent'), '1e9', '.001e12'],
    [dec(1, -3, 'DecimalExponent'), '1e-3', '0.001e0'],
    [dec(1, -9, 'DecimalExponent'), '1e-9', '1000e-12'],
    [dec(80, -3, 'DecimalExponent'), '80e-3', ''],
    [dec(300, 6, 'DecimalExponent'), '300e6', ''],
    [dec(1, 12, 'DecimalExponent'), '1e12', ''],
    [dec(1, 3, 'DecimalExponent'), '1e3', ''],
    [dec(3, 3, 'DecimalExponent'), '3e3', ''],
    [dec(0, 0, 'DecimalExponent'), '0', '00'],
    [dec(1, -9, 'DecimalSI'), '1n', ''],
    [dec(80, -9, 'DecimalSI'), '80n', ''],
    [dec(1080, -9, 'DecimalSI'), '1080n', ''],
    [dec(108, -8, 'DecimalSI'), '1080n', ''],
    [dec(10800, -10, 'DecimalSI'), '1080n', ''],
    [dec(1, -6, 'DecimalSI'), '1u', ''],
    [dec(80, -6, 'DecimalSI'), '80u', ''],
    [dec(1080, -6, 'DecimalSI'), '1080u', ''],
  ];
  for (const [q, expect, alternate] of cases) {
    it(`${expect}${alternate ? ` (from ${alternate})` : ''}`, () => {
      assert.equal(q.toString(), expect);
      assert.equal(parseQuantity(expect).toString(), expect, 'canonical form round-trips');
      if (alternate) assert.equal(parseQuantity(alternate).toString(), expect);
      if (!q.isZero()) assert.equal(q.neg().toString(), `-${expect}`);
    });
  }
  it('BinarySI past Ei (2^70) prints every decimal digit; only parsing caps at 2^63-1', () => {
    const ei = parseQuantity('4Ei');
    assert.equal(ei.add(ei).add(ei).add(ei).toString(), '16Ei', 'sums may pass 2^63');
    assert.equal(new Quantity(2n ** 70n * 1_000_000_000n, 'BinarySI').toString(), '1180591620717411303424');
  });
  it('BinarySI integers with no binary suffix print plainly', () => {
    assert.equal(newQuantity(2000, 'BinarySI').toString(), '2000');
    assert.equal(newQuantity(-2000, 'BinarySI').toString(), '-2000');
  });
});

describe('parse then print (upstream TestQuantityParseEmit and the brief)', () => {
  const cases: [string, string][] = [
    ['1Ki', '1Ki'],
    ['1Mi', '1Mi'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1000M', '1G'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    ['.000000000001Ki', '2n'],
    ['1000m', '1'],
    ['1.5Gi', '1536Mi'],
    ['0.1', '100m'],
    ['1.5', '1500m'],
    ['100m', '100m'],
    ['2000Mi', '2000Mi'],
    ['1536Ki', '1536Ki'],
    ['128974848', '128974848'],
    ['129e6', '129e6'],
    ['129M', '129M'],
    ['123Mi', '123Mi'],
  ];
  for (const [input, expect] of cases) {
    it(`${input} → ${expect}`, () => {
      assert.equal(parseQuantity(input).toString(), expect);
      if (expect !== '0') assert.equal(parseQuantity(`-${input}`).toString(), `-${expect}`);
    });
  }
  it('keeps the input string where upstream keeps it (canonical-looking fast path)', () => {
    assert.equal(parseQuantity('+1').toString(), '+1');
    assert.equal(parseQuantity('1E3').toString(), '1E3');
    assert.equal(parseQuantity('+1Ki').toString(), '+1Ki');
    assert.equal(parseQuantity('1000k').toString(), '1M', 'trailing 000 is recomputed');
    assert.equal(parseQuantity('8Ki').toString(), '8Ki', 'multiples of 8 Ki are recomputed (same result)');
  });
  it('reads numbers as JSON numbers', () => {
    assert.equal(parseQuantity(0.5).toString(), '500m');
    assert.equal(parseQuantity(2).toString(), '2');
    assert.equal(parseQuantity(1e-7).toString(), '100e-9');
    assert.equal(JSON.stringify({ cpu: parseQuantity('250m') }), '{"cpu":"250m"}');
  });
});

describe('arithmetic and comparison', () => {
  it('compares exactly (upstream TestQuantityCmp)', () => {
    const cases: [string, string, number][] = [
      ['0', '0', 0],
      ['100m', '50m', 1],
      ['50m', '100m', -1],
      ['10000T', '100Gi', 1],
      ['1', '1000m', 0],
      ['1Ki', '1024', 0],
      ['0.1', '100m', 0],
    ];
    for (const [x, y, want] of cases) assert.equal(parseQuantity(x).cmp(parseQuantity(y)), want, `${x} vs ${y}`);
  });
  it('adds and subtracts without floating point error', () => {
    const tenth = parseQuantity('0.1');
    const sum = tenth.add(parseQuantity('0.2'));
    assert.equal(sum.toString(), '300m');
    assert.ok(sum.equals(parseQuantity('0.3')));
    assert.equal(parseQuantity('1').sub(parseQuantity('0.9')).toString(), '100m');
    assert.equal(parseQuantity('1Gi').sub(parseQuantity('512Mi')).toString(), '512Mi');
    assert.equal(parseQuantity('250m').add(parseQuantity('750m')).toString(), '1');
  });
  it('keeps the suffix when adding or subtracting zero, in either order (upstream)', () => {
    const zero = parseQuantity('0');
    for (const v of ['100m', '1Gi']) {
      const q = parseQuantity(v);
      assert.equal(q.add(zero).toString(), v);
      assert.equal(zero.add(q).toString(), v);
      assert.equal(q.sub(zero).toString(), v);
      assert.equal(zero.sub(q).toString(), q.neg().toString());
    }
  });
  it('negates (upstream TestQuantityNeg)', () => {
    assert.equal(dec(901, -2, 'DecimalSI').neg().toString(), '-9010m');
  });
});

describe('value and milliValue round up like ScaledValue', () => {
  const cases: [string, number, number][] = [
    ['1', 1, 1000],
    ['100m', 1, 100],
    ['1.5', 2, 1500],
    ['0.0001', 1, 1],
    ['1n', 1, 1],
    ['1Gi', 1073741824, 1073741824000],
    ['1.5Gi', 1610612736, 1610612736000],
    ['0', 0, 0],
    ['-1.5', -2, -1500],
    ['12E', 12e18, 12e21],
  ];
  for (const [input, value, milli] of cases) {
    it(input, () => {
      const q = parseQuantity(input);
      assert.equal(q.value(), value);
      assert.equal(q.milliValue(), milli);
    });
  }
  it('scaledValue is exact as a bigint', () => {
    assert.equal(parseQuantity('9Ei').scaledValue(0), 2n ** 63n - 1n);
    assert.equal(parseQuantity('1.5').scaledValue(-3), 1500n);
    assert.equal(parseQuantity('1.5k').scaledValue(3), 2n);
    assert.equal(parseQuantity('3n').scaledValue(-12), 3000n);
  });
  it('newQuantity and newMilliQuantity build quantities from numbers', () => {
    assert.equal(newQuantity(4, 'DecimalSI').toString(), '4');
    assert.equal(newQuantity(4 * 1024 * 1024 * 1024, 'BinarySI').toString(), '4Gi');
    assert.equal(newMilliQuantity(250).toString(), '250m');
    assert.equal(newMilliQuantity(2000).toString(), '2');
  });
});
