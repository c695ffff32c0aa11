/**
 * GET /metrics and who may read it (http/metrics-routes.ts), and METRICS_TOKEN's validation at
 * the edge (config.ts): without a token, loopback clients only; with one, its bearer from
 * anywhere and nothing else.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, METRICS_TOKEN_MIN } from '../../src/config.ts';
import { errorHandler } from '../../src/http/http-errors.ts';
import { isLoopback, registerMetricsRoutes } from '../../src/http/metrics-routes.ts';
import { configRefusal } from '../helpers/config.ts';

const TOKEN = 'c2VjcmV0LW1ldHJpY3MtdG9rZW4tZm9yLXRlc3Rz';
const EXPOSITION = '# HELP switchboard_test_total a test\n# TYPE switchboard_test_total counter\nswitchboard_test_total 7\n';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

function app(token: string | null): FastifyInstance {
  const a = Fastify();
  a.setErrorHandler(errorHandler);
  registerMetricsRoutes(a, { token, contentType: 'text/plain; version=0.0.4; charset=utf-8', scrape: async () => EXPOSITION });
  apps.push(a);
  return a;
}

describe('GET /metrics without METRICS_TOKEN', () => {
  it('serves loopback clients (IPv4, IPv6, IPv4-mapped) the exposition as text/plain 0.0.4', async () => {
    for (const remoteAddress of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) {
      const res = await app(null).inject({ method: 'GET', url: '/metrics', remoteAddress });
      expect(res.statusCode, remoteAddress).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toBe(EXPOSITION);
    }
  });

  it('refuses any other address with 403 FORBIDDEN naming METRICS_TOKEN, and ignores X-Forwarded-For', async () => {
    for (const remoteAddress of ['10.0.0.5', '192.168.1.20', '::ffff:10.0.0.5', 'fe80::1']) {
      const res = await app(null).inject({ method: 'GET', url: '/metrics', remoteAddress, headers: { 'x-forwarded-for': '127.0.0.1' } });
      expect(res.statusCode, remoteAddress).toBe(403);
      expect(res.json().error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('METRICS_TOKEN') });
      expect(res.body).not.toContain('switchboard_test_total');
    }
  });

  it('knows loopback addresses', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('128.0.0.1')).toBe(false);
    expect(isLoopback('::ffff:10.1.2.3')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  it('serves the right bearer from any address', async () => {
    const res = await app(TOKEN).inject({ method: 'GET', url: '/metrics', remoteAddress: '10.0.0.5', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(EXPOSITION);
  });

  it('answers no token, a wrong one, or another scheme with 401 UNAUTHENTICATED and WWW-Authenticate: Bearer — loopback included', async () => {
    const cases: Record<string, string | undefined> = {
      none: undefined,
      wrong: `Bearer ${TOKEN.slice(0, -1)}x`,
      prefix: `Bearer ${TOKEN.slice(0, 10)}`,
      longer: `Bearer ${TOKEN}x`,
      basic: `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}`,
    };
    for (const [name, authorization] of Object.entries(cases)) {
      const res = await app(TOKEN).inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1', headers: authorization ? { authorization } : {} });
      expect(res.statusCode, name).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
      expect(res.body).not.toContain('switchboard_test_total');
    }
  });
});

describe('METRICS_TOKEN (config)', () => {
  const refusal = configRefusal;

  it('unset or empty: null (loopback only)', () => {
    expect(loadConfig({}).metricsToken).toBeNull();
    expect(loadConfig({ METRICS_TOKEN: '' }).metricsToken).toBeNull();
  });

  it(`takes ${METRICS_TOKEN_MIN} characters or more of a bearer token's alphabet`, () => {
    expect(METRICS_TOKEN_MIN).toBe(24);
    expect(loadConfig({ METRICS_TOKEN: 'a'.repeat(24) }).metricsToken).toBe('a'.repeat(24));
    expect(loadConfig({ METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
    const hex = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822c';
    expect(loadConfig({ METRICS_TOKEN: hex }).metricsToken).toBe(hex);
    expect(loadConfig({ METRICS_TOKEN: 'abc-def_ghi.jkl~mno+pqr/stu==' }).metricsToken).toBe('abc-def_ghi.jkl~mno+pqr/stu==');
  });

  it('refuses a short one or one with characters a header cannot carry as they are, naming the variable, never the value', () => {
    const short = 'x'.repeat(23);
    let err = refusal({ METRICS_TOKEN: short });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('METRICS_TOKEN must be at least 24 characters long (it has 23)');
    expect(err.message).not.toContain(short);
    const spaced = 'secret token with spaces in it';
    err = refusal({ METRICS_TOKEN: spaced });
    expect(err.message).toContain('METRICS_TOKEN may hold only');
    expect(err.message).not.toContain(spaced);
  });
});
