import { describe, expect, it } from 'vitest';
import { type NdjsonParseError, NdjsonParser } from '../../../src/engine/ndjson.js';

function collect(maxLineChars?: number) {
  const values: unknown[] = [];
  const errors: NdjsonParseError[] = [];
  const parser = new NdjsonParser({
    onValue: (v) => values.push(v),
    onError: (e) => errors.push(e),
    ...(maxLineChars !== undefined ? { maxLineChars } : {}),
  });
  return { parser, values, errors };
}

describe('NdjsonParser', () => {
  const objects = [
    { Type: 'container', Action: 'start', Actor: { Attributes: { name: 'café-☕' } } },
    { Type: 'container', Action: 'health_status: unhealthy', n: [1, 2, 3] },
    { emoji: '🩺 heal', nested: { deep: true } },
  ];
  const payload = Buffer.from(objects.map((o) => `${JSON.stringify(o)}\n`).join(''), 'utf8');

  it('reassembles objects split at every byte offset, including inside multi-byte characters', () => {
    for (let cut = 0; cut <= payload.length; cut++) {
      const { parser, values, errors } = collect();
      parser.push(payload.subarray(0, cut));
      parser.push(payload.subarray(cut));
      expect(values, `cut at byte ${cut}`).toEqual(objects);
      expect(errors).toEqual([]);
    }
  });

  it('reassembles a stream delivered one byte at a time', () => {
    const { parser, values } = collect();
    for (const byte of payload) parser.push(Buffer.from([byte]));
    expect(values).toEqual(objects);
  });

  it('keeps a name whose "é" and emoji are split across chunks intact', () => {
    const line = Buffer.from(`${JSON.stringify({ name: 'é🩺' })}\n`, 'utf8');
    const e = line.indexOf(Buffer.from('é', 'utf8'));
    const { parser, values } = collect();
    parser.push(line.subarray(0, e + 1)); // first byte of "é"
    parser.push(line.subarray(e + 1, e + 4)); // second byte of "é" + half of the emoji
    parser.push(line.subarray(e + 4));
    expect(values).toEqual([{ name: 'é🩺' }]);
  });

  it('counts and skips garbage lines without stopping', () => {
    const { parser, values, errors } = collect();
    parser.push(Buffer.from('{"a":1}\nnot json at all\n{"b":\n{"c":3}\n'));
    expect(values).toEqual([{ a: 1 }, { c: 3 }]);
    expect(errors.map((e) => e.reason)).toEqual(['invalid_json', 'invalid_json']);
    expect(parser.parseErrors).toBe(2);
  });

  it('accepts CRLF line ends and ignores blank lines', () => {
    const { parser, values, errors } = collect();
    parser.push(Buffer.from('{"a":1}\r\n\r\n\n   \n{"b":2}\r'));
    parser.push(Buffer.from('\n'));
    expect(values).toEqual([{ a: 1 }, { b: 2 }]);
    expect(errors).toEqual([]);
  });

  it('drops a line that grows past the limit without a newline, counts it once, and resumes after it', () => {
    const { parser, values, errors } = collect(100);
    parser.push(Buffer.from('{"before":1}\n{"huge":"'));
    for (let i = 0; i < 50; i++) parser.push(Buffer.from('x'.repeat(40)));
    parser.push(Buffer.from('"}\n{"after":2}\n'));
    expect(values).toEqual([{ before: 1 }, { after: 2 }]);
    expect(errors.map((e) => e.reason)).toEqual(['line_too_long']);
    expect(errors[0]?.sample.length).toBeLessThanOrEqual(200);
  });

  it('rejects an oversize line that arrives whole in one chunk', () => {
    const { parser, values, errors } = collect(100);
    parser.push(Buffer.from(`${JSON.stringify({ s: 'y'.repeat(200) })}\n{"ok":true}\n`));
    expect(values).toEqual([{ ok: true }]);
    expect(errors.map((e) => e.reason)).toEqual(['line_too_long']);
  });

  it('parses a last line without newline at end(), and reports a truncated one', () => {
    const ok = collect();
    ok.parser.push(Buffer.from('{"a":1}\n{"b":2}'));
    expect(ok.values).toEqual([{ a: 1 }]);
    ok.parser.end();
    expect(ok.values).toEqual([{ a: 1 }, { b: 2 }]);

    const cut = collect();
    cut.parser.push(Buffer.from('{"a":1}\n{"b":'));
    cut.parser.end();
    expect(cut.values).toEqual([{ a: 1 }]);
    expect(cut.parser.parseErrors).toBe(1);
  });

  it('hands the source line to the callback', () => {
    const lines: string[] = [];
    const parser = new NdjsonParser({ onValue: (_v, line) => lines.push(line) });
    parser.push(Buffer.from('{"timeNano":1795296612123456789}\r\n'));
    expect(lines).toEqual(['{"timeNano":1795296612123456789}']);
  });
});
