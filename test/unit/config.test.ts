import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('loadConfig (the environment, read once at start)', () => {
  it('defaults to the embedded default: simulated switch, demo centre, port 8080, checkpoints on a worker', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', pbx: { kind: 'sim' }, demo: true, logLevel: 'info', walCheckpointMs: 200, cstaKeepAliveMs: 30_000 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('an external switch turns the demo off unless asked for', () => {
    expect(loadConfig({ PBX: 'csta://pbx.example:2555' })).toMatchObject({ pbx: { kind: 'csta', host: 'pbx.example', port: 2555 }, demo: false });
    expect(loadConfig({ PBX: 'csta://10.0.0.5:2555', DEMO: '1' }).demo).toBe(true);
    expect(loadConfig({ WAL_CHECKPOINT_MS: '0' }).walCheckpointMs).toBe(0);
  });

  it('PBX=sip-csta://host:port[;transport=udp|tcp]: SIP/CSTA, UDP unless told (RFC 3261 default)', () => {
    expect(loadConfig({ PBX: 'sip-csta://pbx.example:5060' }).pbx).toEqual({ kind: 'sip-csta', host: 'pbx.example', port: 5060, transport: 'udp' });
    expect(loadConfig({ PBX: 'sip-csta://10.0.0.5:5070;transport=tcp' }).pbx).toEqual({ kind: 'sip-csta', host: '10.0.0.5', port: 5070, transport: 'tcp' });
    expect(loadConfig({ PBX: 'sip-csta://10.0.0.5:5070;transport=UDP' }).pbx).toMatchObject({ transport: 'udp' });
    for (const bad of ['sip-csta://10.0.0.5:5070;transport=tls', 'sip-csta://10.0.0.5', 'sip-csta://10.0.0.5:0', 'sip-csta://h:5060;lr', 'csta://h:2555;transport=tcp']) {
      expect(() => loadConfig({ PBX: bad }), bad).toThrow(/PBX=.*sip-csta:\/\/host:port\[;transport=udp\|tcp\]/);
    }
  });

  it('WS_PING_S: liveness pings every 30 s unless told; 0 turns them off; nonsense is refused by name', () => {
    expect(loadConfig({}).wsPingS).toBe(30);
    expect(loadConfig({ WS_PING_S: '0' }).wsPingS).toBe(0);
    expect(loadConfig({ WS_PING_S: '5' }).wsPingS).toBe(5);
    for (const bad of ['-1', 'often', '3601', '1.5']) expect(() => loadConfig({ WS_PING_S: bad }), bad).toThrow(/WS_PING_S/);
  });

  it('every invalid value is named in one error, and the daemon does not start', () => {
    const bad = { PORT: 'abc', PBX: 'sip://x', LOG_LEVEL: 'loud', WAL_CHECKPOINT_MS: '-1', DEMO: 'maybe', INTERNAL_NUMBER_PATTERN: '([' };
    let err: unknown;
    try {
      loadConfig(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    for (const name of ['PORT', 'PBX', 'LOG_LEVEL', 'WAL_CHECKPOINT_MS', 'DEMO', 'INTERNAL_NUMBER_PATTERN']) expect(message).toContain(name);
  });
});
