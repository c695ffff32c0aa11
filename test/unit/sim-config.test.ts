/**
 * Configuration of the simulated switch: the default numbering plan, merging a JSON file over it,
 * and clear errors for bad settings.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIM_CONFIG, loadSimConfig, resolveSimConfig, SimConfigError } from '../../src/pbx-adapters/oxo-sim/config.ts';
import { NumberingPlan } from '../../src/pbx-adapters/oxo-sim/devices.ts';

describe('simulator configuration', () => {
  it('the default plan: extensions 2000–5999, routing 8000–8009, queues 8900–8919, IVR 8100–8129', () => {
    const plan = new NumberingPlan(resolveSimConfig());
    expect(['2000', '5999', '8000', '8009', '8900', '8919', '8100', '8129'].map((n) => plan.classify(n))).toEqual([
      'extension', 'extension', 'routing', 'routing', 'queue', 'queue', 'ivr', 'ivr',
    ]);
    expect(plan.classify('6000')).toBe('unknown');
    expect(plan.classify('02001')).toBe('unknown');
    expect(plan.classify('0611223344')).toBe('outside');
    expect(plan.classify('+33611223344')).toBe('outside');
    expect(plan.classify('abc')).toBe('unknown');
    expect([plan.fallbackOf('8000'), plan.fallbackOf('8001'), plan.fallbackOf('8005')]).toEqual(['8900', '8901', '8900']);
    expect(DEFAULT_SIM_CONFIG).toMatchObject({ routingTimeoutMs: 4000, keepAliveMs: 30_000, maxMonitors: 208, outsideAutoAnswer: false });
  });

  it('reads a JSON file of settings over the default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-config-'));
    const file = join(dir, 'sim.json');
    writeFileSync(file, JSON.stringify({ maxMonitors: 5000, routingFallbacks: { '8002': '8100' } }));
    const cfg = loadSimConfig(file);
    expect(cfg.maxMonitors).toBe(5000);
    expect(new NumberingPlan(cfg).fallbackOf('8002')).toBe('8100');
    expect(cfg.extensions).toEqual([{ from: 2000, to: 5999 }]);
  });

  it('lists every problem, naming the setting', () => {
    let err: unknown;
    try {
      resolveSimConfig({ extensions: [{ from: 8000, to: 8005 }], keepAliveMs: -1, routingFallbacks: { '8000': '7777' }, colour: 'blue' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimConfigError);
    const problems = (err as SimConfigError).problems.join('\n');
    expect(problems).toMatch(/colour: unknown setting/);
    expect(problems).toMatch(/extensions 8000\.\.8005 overlaps routingDevices 8000\.\.8009/);
    expect(problems).toMatch(/keepAliveMs/);
    expect(problems).toMatch(/routingFallbacks\.8000: 7777 is not a configured device/);
    expect(() => loadSimConfig('/nonexistent/sim.json')).toThrow(/cannot read/);
  });
});
