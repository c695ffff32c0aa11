/**
 * The real engine: espeak-ng (voices cmn, en-us) and sox, as `.ci/run` installs them. These tests
 * fail — they do not skip — when the programs are missing: CI must have them.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EspeakRenderer, PromptLibrary, PromptResolver, type ProcessRunner, readWavInfo, runProcess } from '../../src/ivr/speech/index.ts';

const logger = pino({ level: 'silent' });
const ZH = '您好，欢迎致电';
const EN = 'hello, welcome to switchboard';

/** Counts engine runs (espeak-ng with -w: a synthesis) and the most rendering processes (espeak-ng
 * -w, sox converting; not the detection's probes) running at once. */
function countingRunner(): { runner: ProcessRunner; synth: () => number; peak: () => number } {
  let synth = 0;
  let active = 0;
  let peak = 0;
  const runner: ProcessRunner = async (file, args, opts) => {
    const probe = !(args.includes('-w') || (file === 'sox' && args[0] !== '--version'));
    if (!probe) {
      active++;
      peak = Math.max(peak, active);
      if (file === 'espeak-ng' && args.includes('-w')) synth++;
    }
    try {
      return await runProcess(file, args, opts);
    } finally {
      if (!probe) active--;
    }
  };
  return { runner, synth: () => synth, peak: () => peak };
}

/** RMS of 16-bit samples: rendered speech is not silence. */
async function rms(path: string): Promise<number> {
  const info = await readWavInfo(path);
  const buf = await readFile(path);
  let sum = 0;
  const n = info.dataBytes / 2;
  for (let i = 0; i < n; i++) sum += buf.readInt16LE(info.dataOffset + i * 2) ** 2;
  return Math.sqrt(sum / n);
}

let root: string;
let cacheDir: string;
const count = countingRunner();
let renderer: EspeakRenderer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sb-speech-it-'));
  cacheDir = join(root, 'speech-cache');
  renderer = new EspeakRenderer({ cacheDir, logger, runner: count.runner });
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('espeak-ng + sox', () => {
  it('are installed, with a Mandarin voice that reads characters as Mandarin, and en-us', async () => {
    const h = await renderer.health();
    expect(h.reason).toBeUndefined();
    expect(h).toMatchObject({ available: true, engine: 'espeak-ng', langs: ['zh-CN', 'en-US'], voices: { 'en-US': 'en-us' } });
    expect(h.version).toMatch(/^1\.\d+/);
    expect(h.voices['zh-CN']).toMatch(/^cmn/);
    // The phonemes of the chosen voice: Mandarin syllables with tones, no switch to English.
    const r = await runProcess('espeak-ng', ['-v', h.voices['zh-CN']!, '-q', '-x', '-b', '1', '--stdin'], { input: ZH, timeoutMs: 10_000 });
    expect(r.stdout).not.toMatch(/\(en\)/);
    expect(r.stdout).toMatch(/n'i35n_\| X'Au214_\|/); // nín hǎo
  });

  it('render Mandarin and English to 8 kHz mono 16-bit WAV of plausible length, not silence', async () => {
    const voices = (await renderer.health()).voices;
    for (const [text, lang] of [
      [ZH, 'zh-CN'],
      [EN, 'en-US'],
    ] as const) {
      const voice = voices[lang]!;
      const before = count.synth();
      const r = await renderer.render(text, lang);
      expect(r).toMatchObject({ cached: false, voice });
      expect(isAbsolute(r.path)).toBe(true);
      expect(dirname(r.path)).toBe(cacheDir);
      const info = await readWavInfo(r.path);
      expect(info).toMatchObject({ audioFormat: 1, sampleRate: 8000, channels: 1, bitsPerSample: 16 });
      expect(info.durationMs).toBe(r.durationMs);
      expect(r.durationMs).toBeGreaterThan(500);
      expect(r.durationMs).toBeLessThan(8000);
      expect(info.dataOffset + info.dataBytes).toBe((await stat(r.path)).size);
      expect(await rms(r.path)).toBeGreaterThan(200);
      expect(count.synth()).toBe(before + 1);
    }
    // Only final files: the temporary ones are gone.
    expect((await readdir(cacheDir)).sort()).toEqual([expect.stringMatching(/^cmn[a-z-]*-[0-9a-f]{64}\.wav$/), expect.stringMatching(/^en-us-[0-9a-f]{64}\.wav$/)]);
  });

  it('a second render is cached: same file, untouched, no process run — also after a restart', async () => {
    const first = await renderer.render(ZH, 'zh-CN');
    const mtime = (await stat(first.path)).mtimeMs;
    const runs = count.synth();
    const again = await renderer.render(`  ${ZH}\n`, 'zh-CN'); // the same text once normalised
    expect(again).toEqual({ ...first, cached: true });
    expect(count.synth()).toBe(runs);
    expect((await stat(first.path)).mtimeMs).toBe(mtime);

    const restarted = countingRunner();
    const r2 = new EspeakRenderer({ cacheDir, logger, runner: restarted.runner });
    expect(await r2.render(EN, 'en-US')).toMatchObject({ cached: true, voice: 'en-us' });
    expect(await r2.render(ZH, 'zh-CN')).toMatchObject({ cached: true, path: first.path, durationMs: first.durationMs });
    expect(restarted.synth()).toBe(0);
    expect(r2.renders).toBe(0);
  });

  it('a damaged cached file is rendered again', async () => {
    const first = await renderer.render(EN, 'en-US');
    await writeFile(first.path, (await readFile(first.path)).subarray(0, 100)); // cut short
    const r2 = new EspeakRenderer({ cacheDir, logger, runner: countingRunner().runner });
    const again = await r2.render(EN, 'en-US');
    expect(again).toMatchObject({ cached: false, path: first.path, durationMs: first.durationMs });
    expect(r2.renders).toBe(1);
  });

  it('concurrent renders of the same text run espeak-ng once', async () => {
    const runs = count.synth();
    const all = await Promise.all(Array.from({ length: 6 }, () => renderer.render('请稍候，正在为您转接', 'zh-CN')));
    expect(count.synth()).toBe(runs + 1);
    expect(new Set(all.map((r) => r.path)).size).toBe(1);
  });

  it('a burst of different texts runs at most 2 processes at a time', async () => {
    const c = countingRunner();
    const r = new EspeakRenderer({ cacheDir: join(root, 'burst'), logger, runner: c.runner, maxConcurrent: 2 });
    const words = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];
    const out = await Promise.all(words.map((w) => r.render(`press ${w}`, 'en-US')));
    expect(c.synth()).toBe(8);
    expect(c.peak()).toBeLessThanOrEqual(2);
    expect(new Set(out.map((o) => o.path)).size).toBe(8);
  });

  it('a recorded prompt of the library takes precedence; without one the text is rendered', async () => {
    const promptsDir = join(root, 'prompts');
    await mkdir(join(promptsDir, 'zh-CN'), { recursive: true });
    const recorded = join(promptsDir, 'zh-CN', 'greeting.wav');
    await runSox(['-n', '-r', '8000', '-c', '1', '-b', '16', recorded, 'synth', '1.5', 'sine', '440']);
    const resolver = new PromptResolver({ library: new PromptLibrary({ dir: promptsDir, logger }), renderer, logger });
    const runs = count.synth();

    const lib = await resolver.resolve({ promptId: 'greeting', text: ZH, lang: 'zh-CN' });
    expect(lib).toEqual({ source: 'library', message: `file:${recorded}`, path: recorded, durationMs: 1500, text: ZH, lang: 'zh-CN', promptId: 'greeting' });
    expect(count.synth()).toBe(runs);

    const en = await resolver.resolve({ promptId: 'greeting', text: EN, lang: 'en-US' });
    expect(en).toMatchObject({ source: 'speech', cached: true, voice: 'en-us', text: EN, lang: 'en-US' });
    expect(en.message).toBe(`file:${(await renderer.render(EN, 'en-US')).path}`);

    const fresh = await resolver.resolve({ promptId: 'menu', text: '按一号键进入销售部', lang: 'zh-CN' });
    expect(fresh).toMatchObject({ source: 'speech', cached: false, voice: (await renderer.health()).voices['zh-CN'] });
    expect(count.synth()).toBe(runs + 1);
  });

  it('timings: cold and cached render of a typical prompt (printed)', async () => {
    const r = new EspeakRenderer({ cacheDir: join(root, 'timing'), logger });
    await r.health();
    const zh = '您的账户余额为一千零五元三角，返回主菜单请按零';
    const en = 'your account balance is one thousand five dollars and thirty cents, to hear the menu again press zero';
    const t = async (text: string, lang: 'zh-CN' | 'en-US'): Promise<[number, number, number]> => {
      const a = performance.now();
      const cold = await r.render(text, lang);
      const b = performance.now();
      const warm = await r.render(text, lang);
      const c = performance.now();
      expect([cold.cached, warm.cached]).toEqual([false, true]);
      return [b - a, c - b, cold.durationMs];
    };
    const [zc, zw, zd] = await t(zh, 'zh-CN');
    const [ec, ew, ed] = await t(en, 'en-US');
    console.log(`speech timings: zh-CN ${zd} ms of audio: cold ${zc.toFixed(0)} ms, cached ${zw.toFixed(2)} ms; en-US ${ed} ms of audio: cold ${ec.toFixed(0)} ms, cached ${ew.toFixed(2)} ms`);
    expect(zc).toBeLessThan(10_000);
    expect(zw).toBeLessThan(zc);
  });
});

async function runSox(args: string[]): Promise<void> {
  const r = await runProcess('sox', args, { timeoutMs: 10_000 });
  expect(r.code, r.stderr).toBe(0);
}
