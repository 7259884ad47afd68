/**
 * Line-protocol escaping, character by character, per the InfluxDB 1.x reference. The hostile
 * integration test reads the same strings back from a real influxd; this table pins the text.
 */
import { describe, expect, it } from 'vitest';
import { toLine } from './line.js';

const p = (tags: Record<string, string>, fields: Record<string, number | boolean | string>, measurement = 'host') => ({ measurement, tags, fields, timestamp: 1700000000123 });

describe('toLine', () => {
  const cases: [string, ReturnType<typeof p>, string][] = [
    ['plain', p({ unit: 'A' }, { n: 1 }), 'host,unit=A n=1 1700000000123'],
    ['tags sorted by key', p({ z: '1', a: '2' }, { n: 1 }), 'host,a=2,z=1 n=1 1700000000123'],
    ['space, comma, equals in a tag value', p({ h: 'a b,c=d' }, { n: 1 }), 'host,h=a\\ b\\,c\\=d n=1 1700000000123'],
    ['an empty tag value is left out', p({ h: '', u: 'A' }, { n: 1 }), 'host,u=A n=1 1700000000123'],
    ['quotes and backslashes in a string field', p({}, { s: 'say "hi" C:\\x\\' }), 'host s="say \\"hi\\" C:\\\\x\\\\" 1700000000123'],
    ['a newline in a string field stays as is', p({}, { s: 'a\nb' }), 'host s="a\nb" 1700000000123'],
    ['booleans and floats', p({}, { b: true, f: 0.5, z: false }), 'host b=true,f=0.5,z=false 1700000000123'],
    ['escaped field keys and measurement', p({}, { 'a b': 1 }, 'm x,y'), 'm\\ x\\,y a\\ b=1 1700000000123'],
    ['Vietnamese text is written as UTF-8 text', p({ u: 'Hà Nội' }, { s: 'Cục Hàng hải' }), 'host,u=Hà\\ Nội s="Cục Hàng hải" 1700000000123'],
  ];
  for (const [name, point, line] of cases) it(name, () => expect(toLine(point)).toBe(line));

  it('refuses what InfluxDB would refuse rather than writing it', () => {
    expect(() => toLine(p({}, { n: Number.POSITIVE_INFINITY }))).toThrow(/not a finite number/);
    expect(() => toLine(p({ a: 'b' }, {}))).toThrow(/no fields/);
  });
});
