import { describe, expect, it } from 'vitest';
import { bareName, idMatches, isFullId, isIdPrefix, shortId } from '../../src/shared/container-ref.js';
import { errorText } from '../../src/shared/errors.js';
import { isRecord } from '../../src/shared/json.js';
import { redactUrl, redactUrlIn } from '../../src/shared/redact.js';

const ID = `abcdef012345${'0'.repeat(52)}`;

describe('container references', () => {
  it('a full id is 64 lowercase hex characters; a prefix at least 12 of them', () => {
    expect(isFullId(ID)).toBe(true);
    expect(isFullId(ID.slice(0, 63))).toBe(false);
    expect(isFullId(ID.toUpperCase())).toBe(false);
    expect(isIdPrefix(ID.slice(0, 12))).toBe(true);
    expect(isIdPrefix(ID.slice(0, 11))).toBe(false);
    expect(isIdPrefix('web-12345678')).toBe(false);
  });

  it('an id matches its own prefixes of 12 or more characters only', () => {
    expect(idMatches(ID, ID)).toBe(true);
    expect(idMatches(ID, ID.slice(0, 12))).toBe(true);
    expect(idMatches(ID, ID.slice(0, 11))).toBe(false);
    expect(idMatches(ID, `ffffff012345${'0'.repeat(4)}`)).toBe(false);
  });

  it('shows the short id and the bare name as docker ps does', () => {
    expect(shortId(ID)).toBe('abcdef012345');
    expect(bareName('/web')).toBe('web');
    expect(bareName('web')).toBe('web');
  });
});

describe('error text and JSON guards', () => {
  it('takes the message of an Error and the string of anything else', () => {
    expect(errorText(new Error('boom'))).toBe('boom');
    expect(errorText('plain')).toBe('plain');
    expect(errorText(42)).toBe('42');
  });

  it('a record is a non-null, non-array object', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord([])).toBe(false);
    expect(isRecord(null)).toBe(false);
    expect(isRecord('x')).toBe(false);
  });
});

describe('URL redaction', () => {
  it('keeps the scheme and host and hides path, query, fragment and user info', () => {
    expect(redactUrl('https://hooks.slack.com/services/T0/B0/SECRET')).toBe('https://hooks.slack.com/***');
    expect(redactUrl('https://x.example/?token=SECRET')).toBe('https://x.example/***');
    expect(redactUrl('https://user:pw@x.example')).toBe('https://x.example/***');
    expect(redactUrl('http://x.example:8000')).toBe('http://x.example:8000/');
    expect(redactUrl('not a url SECRET')).toBe('***');
  });

  it('takes the URL, its path and its query out of a text', () => {
    const url = 'http://127.0.0.1:9/hook/SECRET?key=QSECRET';
    const text = `fetch ${url} failed; path /hook/SECRET; query ?key=QSECRET`;
    const out = redactUrlIn(text, url);
    expect(out).not.toMatch(/SECRET/);
    expect(out).toContain('http://127.0.0.1:9/***');
  });
});
