import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { OPS } from '../../src/gateway/ws-gateway.ts';

const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');

describe('docs/api.md documents the whole API', () => {
  it.each([...ERROR_CODES])('error code %s', (code) => {
    expect(doc).toContain(`\`${code}\``);
  });
  it.each([...Object.keys(OPS), 'auth.login', 'session.resume'])('op %s', (op) => {
    expect(doc).toContain(`\`${op}\``);
  });
});
