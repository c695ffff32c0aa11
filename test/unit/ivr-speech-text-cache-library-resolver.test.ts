import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EspeakRenderer,
  isValidPromptId,
  Limiter,
  ProcessError,
  type ProcessRunner,
  PromptLibrary,
  PromptResolver,
  runProcess,
  SpeechError,
  type SpeechRenderer,
  speechCacheFileName,
  speechCacheKey,
  normaliseSpeechText,
  ttsId,
} from '../../src/ivr/speech/index.ts';

const silent = pino({ level: 'silent' });

/** A logger whose lines are kept. */
function capture(): { logger: pino.Logger; lines: { level: number; msg: string; [k: string]: unknown }[] } {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

const errCode = async (p: Promise<unknown> | (() => unknown)): Promise<string> => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'resolved';
};

function telephonyWav(ms: number, rate = 8000): Buffer {
  const dataBytes = (rate * 2 * ms) / 1000;
  const b = Buffer.alloc(44 + dataBytes);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + dataBytes, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(dataBytes, 40);
  return b;
}

const tmp = mkdtemp(join(tmpdir(), 'sb-speech-unit-'));
afterAll(async () => rm(await tmp, { recursive: true, force: true }));

describe('text given to the engine', () => {
  it('is NFC, one line, trimmed; Chinese numerals and words pass', () => {
    expect(normaliseSpeechText('  您好，\n欢迎致电 ')).toBe('您好， 欢迎致电');
    expect(normaliseSpeechText('一千零五元三角')).toBe('一千零五元三角');
    expect(normaliseSpeechText('one thousand five dollars')).toBe('one thousand five dollars');
  });

  it('refuses digits of any script with TTS_TEXT_NOT_NORMALISED, naming the digit', async () => {
    for (const t of ['余额1005元', 'press 1 for sales', '余额１００５元', 'رقم ٣', '零下5度']) {
      expect(await errCode(() => normaliseSpeechText(t))).toBe('TTS_TEXT_NOT_NORMALISED');
    }
    expect(() => normaliseSpeechText('press 1 for sales')).toThrow(/digit "1" at 6/);
    expect(await errCode(() => normaliseSpeechText('a\u0000b'))).toBe('TTS_TEXT_NOT_NORMALISED');
  });

  it('refuses empty and over-long text', async () => {
    expect(await errCode(() => normaliseSpeechText(' \n '))).toBe('TTS_TEXT_EMPTY');
    expect(await errCode(() => normaliseSpeechText('好'.repeat(2001)))).toBe('TTS_TEXT_TOO_LONG');
    expect(normaliseSpeechText('好'.repeat(2000))).toHaveLength(2000);
  });
});

describe('cache key', () => {
  const parts = { engine: 'espeak-ng', version: '1.51', voice: 'cmn', params: { speed: 165, pitch: 50, amplitude: 100, out: 'wav-8000-1-16' }, text: '您好，欢迎致电' };

  it('is stable: a fixed value across runs and machines, parameter order irrelevant', () => {
    const k = speechCacheKey(parts);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(speechCacheKey({ ...parts, params: { out: 'wav-8000-1-16', amplitude: 100, pitch: 50, speed: 165 } })).toBe(k);
    // Pinned (computed independently: sha256 of the JSON [1,"espeak-ng","1.51","cmn",[["amplitude",100],
    // ["out","wav-8000-1-16"],["pitch",50],["speed",165]],"您好，欢迎致电"] in Python). A change here
    // re-renders every cached file: change SPEECH_CACHE_FORMAT on purpose instead.
    expect(k).toBe('74acbcaf98a7da7e2605088af676f7c90b72ec8653ed4c79dd351dd7adaaad58');
  });

  it('changes with the text, voice, version and each parameter', () => {
    const k = speechCacheKey(parts);
    const variants = [
      { ...parts, text: '您好' },
      { ...parts, voice: 'en-us' },
      { ...parts, version: '1.52' },
      { ...parts, params: { ...parts.params, speed: 150 } },
      { ...parts, engine: 'other' },
    ].map(speechCacheKey);
    expect(new Set([k, ...variants]).size).toBe(6);
  });

  it('names the file after the voice and the key', () => {
    expect(speechCacheFileName('en-us', 'ab'.repeat(32))).toBe(`en-us-${'ab'.repeat(32)}.wav`);
    expect(speechCacheFileName('../x', 'k')).toBe('___x-k.wav');
  });
});

describe('prompt library', () => {
  it('accepts [A-Za-z0-9._-] ids and refuses path traversal with BAD_PROMPT_ID', async () => {
    for (const id of ['greeting', 'menu.main', 'err_1', 'vip-greeting', 'A9']) expect(isValidPromptId(id)).toBe(true);
    const bad = ['../etc/passwd', '..', '.', '.hidden', 'a/b', 'a\\b', '/abs', 'zh-CN/../../x', '', 'a b', 'a\u0000', '欢迎', 'x'.repeat(129)];
    const lib = new PromptLibrary({ dir: await tmp, logger: silent });
    for (const id of bad) {
      expect(isValidPromptId(id), id).toBe(false);
      expect(await errCode(() => lib.lookup(id, 'zh-CN')), id).toBe('BAD_PROMPT_ID');
    }
    expect(await errCode(() => lib.lookup('greeting', 'fr-FR' as 'zh-CN'))).toBe('BAD_LANG');
  });

  it('finds <lang>/<id>.wav when it is 8 kHz mono 16-bit, remembers the answer, ignores other formats with a warning', async () => {
    const dir = join(await tmp, 'prompts');
    await mkdir(join(dir, 'zh-CN'), { recursive: true });
    await mkdir(join(dir, 'en-US'), { recursive: true });
    await writeFile(join(dir, 'zh-CN', 'greeting.wav'), telephonyWav(1200));
    await writeFile(join(dir, 'en-US', 'greeting.wav'), telephonyWav(1000, 16000));
    const { logger, lines } = capture();
    const lib = new PromptLibrary({ dir, logger });
    expect(await lib.lookup('greeting', 'zh-CN')).toEqual({ path: join(dir, 'zh-CN', 'greeting.wav'), durationMs: 1200 });
    expect(await lib.lookup('greeting', 'en-US')).toBeUndefined();
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
    expect(await lib.lookup('menu', 'zh-CN')).toBeUndefined();
    // Remembered: replacing the file is not seen until clear().
    await writeFile(join(dir, 'zh-CN', 'greeting.wav'), telephonyWav(800));
    expect((await lib.lookup('greeting', 'zh-CN'))?.durationMs).toBe(1200);
    lib.clear();
    expect((await lib.lookup('greeting', 'zh-CN'))?.durationMs).toBe(800);
    expect(await new PromptLibrary({ dir: undefined, logger: silent }).lookup('greeting', 'zh-CN')).toBeUndefined();
  });
});

describe('prompt resolver', () => {
  const failing = (code: SpeechError['code']): SpeechRenderer => ({
    render: () => Promise.reject(new SpeechError(code, 'no')),
    available: () => Promise.resolve(code !== 'TTS_UNAVAILABLE'),
    health: () => Promise.resolve({ available: false, engine: 'fake', langs: [], voices: {} }),
  });

  it('falls back to the switch (tts:<promptId>, text, lang) when the renderer is unavailable or fails', async () => {
    const r = new PromptResolver({ renderer: failing('TTS_UNAVAILABLE'), logger: silent });
    expect(await r.resolve({ promptId: 'greeting', text: '您好，欢迎致电', lang: 'zh-CN' })).toEqual({
      source: 'switch',
      message: 'tts:greeting',
      text: '您好，欢迎致电',
      lang: 'zh-CN',
      promptId: 'greeting',
      reason: 'TTS_UNAVAILABLE',
    });
    const { logger, lines } = capture();
    const t = await new PromptResolver({ renderer: failing('TTS_TIMEOUT'), logger }).resolve({ text: 'one two', lang: 'en-US' });
    expect(t).toMatchObject({ source: 'switch', reason: 'TTS_TIMEOUT', message: `tts:${ttsId(undefined, 'en-US', 'one two')}` });
    expect(t.message).toMatch(/^tts:t-[0-9a-f]{16}$/);
    expect(lines.some((l) => l.level === 40 && l.code === 'TTS_TIMEOUT')).toBe(true);
    expect((await new PromptResolver({ logger: silent }).resolve({ text: 'x', lang: 'en-US' })).source).toBe('switch');
  });

  it('text the renderer refuses for good (digits) is refused once: later plays go to the switch without a render or a log line', async () => {
    let renders = 0;
    const counting: SpeechRenderer = { ...failing('TTS_TEXT_NOT_NORMALISED'), render: () => (renders++, Promise.reject(new SpeechError('TTS_TEXT_NOT_NORMALISED', 'digits'))) };
    const { logger, lines } = capture();
    const r = new PromptResolver({ renderer: counting, logger });
    for (let i = 0; i < 5; i++) expect(await r.resolve({ promptId: 'menu', text: '请按1', lang: 'zh-CN' })).toMatchObject({ source: 'switch', reason: 'TTS_TEXT_NOT_NORMALISED' });
    expect(renders).toBe(1);
    expect(lines.filter((l) => l.level >= 40)).toHaveLength(1);
  });

  it('refuses a prompt with neither a recorded file nor text', async () => {
    expect(await errCode(new PromptResolver({ logger: silent }).resolve({ promptId: 'x', text: '', lang: 'zh-CN' }))).toBe('TTS_TEXT_EMPTY');
  });
});

describe('EspeakRenderer without the programs', () => {
  it('is unavailable, warns once, and rejects TTS_UNAVAILABLE', async () => {
    const { logger, lines } = capture();
    const r = new EspeakRenderer({ cacheDir: join(await tmp, 'c1'), logger, espeakPath: '/nonexistent/espeak-ng', soxPath: '/nonexistent/sox' });
    expect(await r.available()).toBe(false);
    expect(await r.available('zh-CN')).toBe(false);
    expect(await errCode(r.render('您好', 'zh-CN'))).toBe('TTS_UNAVAILABLE');
    expect(await errCode(r.render('hello', 'en-US'))).toBe('TTS_UNAVAILABLE');
    const h = await r.health();
    expect(h).toMatchObject({ available: false, engine: 'espeak-ng', langs: [] });
    expect(h.reason).toMatch(/espeak-ng not found.*sox not found/);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
    expect(r.renders).toBe(0);
  });

  it('a cache folder it cannot create: TTS_FAILED naming it', async () => {
    const file = join(await tmp, 'a-file');
    await writeFile(file, 'x');
    const runner: ProcessRunner = (f, args) =>
      Promise.resolve({ code: 0, signal: null, stdout: args[0] === '--version' ? (f === 'sox' ? 'SoX' : 'eSpeak NG text-to-speech: 1.51') : "h@l'oU", stderr: '' });
    const r = new EspeakRenderer({ cacheDir: join(file, 'cache'), logger: silent, runner });
    await expect(r.render('hello', 'en-US')).rejects.toMatchObject({ code: 'TTS_FAILED', message: expect.stringContaining(join(file, 'cache')) as string });
  });

  it('checks the text before anything runs', async () => {
    let runs = 0;
    const runner: ProcessRunner = () => {
      runs++;
      return Promise.resolve({ code: 0, signal: null, stdout: '', stderr: '' });
    };
    const r = new EspeakRenderer({ cacheDir: join(await tmp, 'c2'), logger: silent, runner });
    expect(await errCode(r.render('余额1005元', 'zh-CN'))).toBe('TTS_TEXT_NOT_NORMALISED');
    expect(await errCode(r.render('x'.repeat(2001), 'en-US'))).toBe('TTS_TEXT_TOO_LONG');
    expect(await errCode(r.render('bonjour', 'fr-FR' as 'en-US'))).toBe('BAD_LANG');
    expect(runs).toBe(0);
  });

  it('turns a process timeout into TTS_TIMEOUT and leaves no file behind', async () => {
    const runner: ProcessRunner = (file, args) => {
      if (args[0] === '--version') return Promise.resolve({ code: 0, signal: null, stdout: file === 'sox' ? 'sox: SoX v14' : 'eSpeak NG text-to-speech: 1.51  Data at: x', stderr: '' });
      if (args.includes('-x')) return Promise.resolve({ code: 0, signal: null, stdout: "h@l'oU\n", stderr: '' });
      return Promise.reject(new ProcessError('timeout', `${file} ran past 10 ms and was killed`));
    };
    const dir = join(await tmp, 'c3');
    const r = new EspeakRenderer({ cacheDir: dir, logger: silent, runner });
    expect(await r.available()).toBe(true);
    expect(await errCode(r.render('hello', 'en-US'))).toBe('TTS_TIMEOUT');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('voice choice', () => {
  /** espeak-ng as Debian 12 has it: `cmn` reads 您好 as English pinyin with tone digits. */
  const debian151 =
    (broken: string[]): ProcessRunner =>
    (file, args) => {
      const ok = (stdout: string) => Promise.resolve({ code: 0, signal: null, stdout, stderr: '' });
      if (args[0] === '--version') return ok(file === 'sox' ? 'sox:      SoX v14.4.2' : 'eSpeak NG text-to-speech: 1.51  Data at: /usr/lib');
      const voice = args[args.indexOf('-v') + 1]!;
      if (args.includes('-x')) {
        if (broken.includes(voice)) return ok("(en)nI55nt'u:55_| h,eI55@55Tr'i:55(cmn)_|\n");
        if (voice === 'nosuch') return Promise.resolve({ code: 1, signal: null, stdout: '', stderr: 'Error: The specified espeak-ng voice does not exist.' });
        return ok(voice.startsWith('cmn') ? "n'i35n_| X'Au214_|\n" : "h@l'oU\n");
      }
      return ok('');
    };

  it('passes over a Mandarin voice that reads characters in English, and says so', async () => {
    const { logger, lines } = capture();
    const r = new EspeakRenderer({ cacheDir: join(await tmp, 'v1'), logger, runner: debian151(['cmn']) });
    expect(await r.health()).toMatchObject({ available: true, version: '1.51', voices: { 'zh-CN': 'cmn-latn-pinyin', 'en-US': 'en-us' } });
    const info = lines.find((l) => l.level === 30)!;
    expect(info.passedOver).toEqual([expect.stringMatching(/^cmn: reads "您好" in another language: \(en\)/)]);
  });

  it('takes cmn where it works, and an explicit voice as given; none that works: unavailable for that language', async () => {
    expect((await new EspeakRenderer({ cacheDir: join(await tmp, 'v2'), logger: silent, runner: debian151([]) }).health()).voices).toEqual({ 'zh-CN': 'cmn', 'en-US': 'en-us' });
    const { logger, lines } = capture();
    const r = new EspeakRenderer({ cacheDir: join(await tmp, 'v3'), logger, runner: debian151(['cmn']), voices: { 'zh-CN': 'cmn', 'en-US': 'nosuch' } });
    const h = await r.health();
    expect(h).toMatchObject({ available: false, langs: [], voices: {} });
    expect(h.reason).toMatch(/no working espeak-ng voice for zh-CN \(cmn: reads "您好" in another language.*no working espeak-ng voice for en-US \(nosuch: not installed\)/);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
    expect(await errCode(r.render('您好', 'zh-CN'))).toBe('TTS_UNAVAILABLE');
    expect(() => new EspeakRenderer({ cacheDir: 'x', logger: silent, voices: { 'en-US': '-w /etc/passwd' } })).toThrow(RangeError);
  });
});

describe('processes and limits', () => {
  it('runProcess passes stdin without a shell, and kills a child past its time', async () => {
    const r = await runProcess('cat', [], { input: '$(touch /tmp/x); `id` 您好', timeoutMs: 5000 });
    expect(r).toMatchObject({ code: 0, stdout: '$(touch /tmp/x); `id` 您好' });
    const t0 = Date.now();
    await expect(runProcess('sleep', ['5'], { timeoutMs: 150 })).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(2000);
    await expect(runProcess('/nonexistent/prog', [], { timeoutMs: 1000 })).rejects.toMatchObject({ kind: 'missing' });
  });

  it('Limiter runs at most max tasks at a time, in order', async () => {
    const l = new Limiter(2);
    let now = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        l.run(async () => {
          now++;
          peak = Math.max(peak, now);
          order.push(i);
          await new Promise((r) => setTimeout(r, 5));
          now--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(l.running).toBe(0);
    await expect(l.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(l.running).toBe(0);
  });
});
