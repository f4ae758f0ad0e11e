import { describe, expect, test } from 'vitest';
import { maskUrl, Redactor } from '../../src/config/secrets.js';

describe('URLs as printed', () => {
  test.each([
    ['http://user:hunter2@host:8080/v1', 'http://user:****@host:8080/v1'],
    ['https://tok_abcdefgh@gateway.example/v1', 'https://****@gateway.example/v1'],
    ['http://h/v1?token=abc123&model=x', 'http://h/v1?token=****&model=x'],
    ['http://h/v1?key=k&api-key=k2&api_key=k3&access_token=t&sig=s', 'http://h/v1?key=****&api-key=****&api_key=****&access_token=****&sig=****'],
    ['http://h/openai/deployments/x/audio/speech?api-version=2024-10-21', 'http://h/openai/deployments/x/audio/speech?api-version=2024-10-21'],
    ['POST http://me:p%40ss@h/v1/audio/speech?token=z → failed', 'POST http://me:****@h/v1/audio/speech?token=**** → failed'],
    ['no url here: user:pass@host', 'no url here: user:pass@host'],
  ])('%s', (url, shown) => {
    expect(maskUrl(url)).toBe(shown);
  });
});

describe('what a redactor hides', () => {
  const KEY = 'lt-live-0123456789abcdefXYZ';

  test('every known secret, wherever it shows, and its URL-encoded spelling', () => {
    const r = new Redactor();
    r.add(KEY, 'p@ss word!', undefined, 'k');
    const out = r.redact(`Received API Key = ${KEY}; url http://u:${encodeURIComponent('p@ss word!')}@h; said "p@ss word!"`);
    expect(out).not.toContain(KEY);
    expect(out).not.toContain('p@ss word!');
    expect(out).not.toContain(encodeURIComponent('p@ss word!'));
    expect(out).toContain('lt-…fXYZ');
  });

  test('short values are not hidden by exact match: a test key "k" would blank every k', () => {
    const r = new Redactor();
    r.add('k');
    expect(r.redact('keep talking')).toBe('keep talking');
  });

  test("key-looking tokens in a provider's words, even when the key was never named", () => {
    const r = new Redactor();
    expect(r.redact('Authentication Error, Received API Key = sk-1234567890abcdefghij, Key Hash')).toBe('Authentication Error, Received API Key = sk-…ghij, Key Hash');
    expect(r.redact('authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc')).toBe('authorization: Bearer eyJ….abc');
    expect(r.redact('Basic authentication failed; sk-short stays')).toBe('Basic authentication failed; sk-short stays');
  });

  test('a masked key is not masked again', () => {
    const r = new Redactor();
    r.add('sk-test-DO-NOT-PRINT-abcdef123456');
    expect(r.redact(r.redact('Bearer sk-test-DO-NOT-PRINT-abcdef123456'))).toBe('Bearer sk-…3456');
  });
});
