/** COPY text encoding of read-model rows: each value as json_populate_recordset reads it from JSON. */
import { describe, expect, it } from 'vitest';
import { Money } from '../../src/model/accounting/Money.ts';
import { copyText } from '../../src/projections/PostgresReadModelWriter.ts';

describe('copyText', () => {
  it('separates columns by tab and rows by newline, NULL as \\N', () => {
    expect(copyText([{ a: 'x', b: 1, c: null }, { a: 'y', b: -2.5, c: undefined }], ['a', 'b', 'c'], [false, false, false]))
      .toBe('x\t1\t\\N\ny\t-2.5\t\\N\n');
  });

  it('escapes backslash, tab, newline and carriage return inside text', () => {
    expect(copyText([{ a: 'a\\b\tc\nd\re' }], ['a'], [false])).toBe('a\\\\b\\tc\\nd\\re\n');
  });

  it('writes json columns as JSON, whose own escapes keep their backslash doubled', () => {
    // JSON.stringify({ r: 'x\ny' }) is {"r":"x\ny"} with a backslash-n: COPY must receive \\n to keep it.
    expect(copyText([{ j: { r: 'x\ny', n: 1 } }], ['j'], [true])).toBe('{"r":"x\\\\ny","n":1}\n');
    expect(copyText([{ j: 'plain' }], ['j'], [true])).toBe('"plain"\n');
  });

  it('writes booleans as t/f, non-finite numbers as NULL and a Decimal as its digits', () => {
    expect(copyText([{ b: true, c: false, n: Number.NaN, m: new Money('0.000012345') }], ['b', 'c', 'n', 'm'], [false, false, false, false]))
      .toBe('t\tf\t\\N\t0.000012345\n');
  });

  it('writes an object in a text column as its JSON, escaped', () => {
    expect(copyText([{ t: { k: 'a\tb' } }], ['t'], [false])).toBe('{"k":"a\\\\tb"}\n');
  });

  it('writes non-ASCII text as UTF-8 and escapes it in short and long strings alike', () => {
    const long = `${'é€'.repeat(40)}\t${'x'.repeat(10)}`;
    expect(copyText([{ a: 'é\t€', b: long }], ['a', 'b'], [false, false]))
      .toBe(`é\\t€\t${'é€'.repeat(40)}\\t${'x'.repeat(10)}\n`);
  });

  it('writes integers of every size and other numbers as JSON.stringify does', () => {
    const values = [0, 7, 10, 99_999_999, 100_000_000, 100_000_001, 1_000_000_000_000_000, 1723161255364891, Number.MAX_SAFE_INTEGER, 2 ** 60, -1, -42.25, 1e-7, 0.5];
    expect(copyText(values.map((n) => ({ n })), ['n'], [false]))
      .toBe('0\n7\n10\n99999999\n100000000\n100000001\n1000000000000000\n1723161255364891\n9007199254740991\n1152921504606847000\n-1\n-42.25\n1e-7\n0.5\n');
  });

  it('writes each column of rows whose keys come in another order, or are missing, by name', () => {
    expect(copyText([{ a: 1, b: 'x' }, { b: 'y', a: 2 }, { a: 3 }], ['a', 'b'], [false, false])).toBe('1\tx\n2\ty\n3\t\\N\n');
    expect(copyText([{ 'we"ird\\name': 'v' }], ['we"ird\\name'], [false])).toBe('v\n');
  });

  it('keeps every row when the text outgrows the first buffer many times', () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => ({ id: i, name: `order-${i}`, j: { k: i } }));
    const expected = rows.map((r) => `${r.id}\torder-${r.id}\t{"k":${r.id}}\n`).join('');
    expect(copyText(rows, ['id', 'name', 'j'], [false, false, true])).toBe(expected);
  });
});
