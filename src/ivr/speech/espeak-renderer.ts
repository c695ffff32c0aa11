/**
 * `SpeechRenderer` over eSpeak NG (Debian's `espeak-ng`, Mandarin and `en-us` voices) and SoX:
 * `espeak-ng -v <voice> … -w <tmp> --stdin` (the text on stdin, no shell), then
 * `sox <tmp> -r 8000 -c 1 -b 16 <tmp8k>`, renamed into the cache (prompt-cache.ts).
 *
 * - The voice of each language is picked once, by reading a sample (see `detect`): on Debian 12's
 *   espeak-ng 1.51 zh-CN gets `cmn-latn-pinyin`, since `cmn` reads characters as English pinyin.
 * - The programs are looked for once (`--version`, a sample read per voice); when one is missing,
 *   `available()` is false, one warning is logged, and `render` rejects `TTS_UNAVAILABLE` — the
 *   IVR then lets the switch synthesise (`tts:` messages, prompt-resolver.ts).
 * - Concurrent renders of the same text share one run; at most `maxConcurrent` renders run at a
 *   time (the others queue); each process is killed after `timeoutMs`.
 */
import { unlink } from 'node:fs/promises';
import { type SpeechLogger, SpeechCache, speechCacheFileName, speechCacheKey } from './prompt-cache.ts';
import { type ProcessRunner, ProcessError, Limiter, runProcess } from './process-runner.ts';
import { type RenderedSpeech, type SpeechHealth, type SpeechLang, type SpeechRenderer, isSpeechLang, normaliseSpeechText, SPEECH_LANGS, SpeechError } from './renderer.ts';
import { readWavInfo, telephonyMismatch } from './wav-info.ts';

export interface EspeakRendererOptions {
  /** Folder of rendered files (created when missing). The daemon: `DATA_DIR/speech-cache`. */
  cacheDir: string;
  logger: SpeechLogger;
  /** Program names or paths; looked up on PATH. */
  espeakPath?: string;
  soxPath?: string;
  /** espeak-ng voice per language, taken as it is (still checked). Default: the first of
   * `VOICE_CANDIDATES` that reads its language (zh-CN `cmn`, else `cmn-latn-pinyin`; en-US `en-us`). */
  voices?: Partial<Record<SpeechLang, string>>;
  /** Words per minute (espeak-ng `-s`, 80–450). Default 165. */
  speed?: number;
  /** 0–99 (`-p`). Default 50. */
  pitch?: number;
  /** 0–200 (`-a`). Default 100. */
  amplitude?: number;
  /** Renders running at a time (each is one espeak-ng then one sox). Default 2. */
  maxConcurrent?: number;
  /** Each process is killed after this long, ms. Default 10 000. */
  timeoutMs?: number;
  /** How processes are run (tests count or fake runs). */
  runner?: ProcessRunner;
}

/** Voices tried in order for each language. `cmn` reads Latin letters as English (better for mixed
 * text) but is broken in espeak-ng 1.51; `cmn-latn-pinyin` reads Latin letters as pinyin. */
export const VOICE_CANDIDATES: Readonly<Record<SpeechLang, readonly string[]>> = { 'zh-CN': ['cmn', 'cmn-latn-pinyin'], 'en-US': ['en-us'] };

const ENGINE = 'espeak-ng';

export class EspeakRenderer implements SpeechRenderer {
  readonly cache: SpeechCache;
  private readonly espeak: string;
  private readonly sox: string;
  private readonly candidates: Record<SpeechLang, readonly string[]>;
  /** The voices detection picked. */
  private chosen: Partial<Record<SpeechLang, string>> = {};
  private readonly params: { speed: number; pitch: number; amplitude: number };
  private readonly timeoutMs: number;
  private readonly runner: ProcessRunner;
  private readonly limiter: Limiter;
  private readonly logger: SpeechLogger;
  private detected: Promise<SpeechHealth> | undefined;
  private readonly inflight = new Map<string, Promise<RenderedSpeech>>();
  private synthRuns = 0;

  constructor(opts: EspeakRendererOptions) {
    this.logger = opts.logger;
    this.cache = new SpeechCache(opts.cacheDir, opts.logger);
    this.espeak = opts.espeakPath ?? 'espeak-ng';
    this.sox = opts.soxPath ?? 'sox';
    this.candidates = { ...VOICE_CANDIDATES };
    for (const lang of SPEECH_LANGS) {
      const v = opts.voices?.[lang];
      if (v !== undefined) {
        if (!/^[A-Za-z0-9_+-]{1,64}$/.test(v)) throw new RangeError(`voice for ${lang} must be an espeak-ng voice name, got ${JSON.stringify(v)}`);
        this.candidates[lang] = [v];
      }
    }
    this.params = {
      speed: intIn('speed', opts.speed ?? 165, 80, 450),
      pitch: intIn('pitch', opts.pitch ?? 50, 0, 99),
      amplitude: intIn('amplitude', opts.amplitude ?? 100, 0, 200),
    };
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.runner = opts.runner ?? runProcess;
    this.limiter = new Limiter(opts.maxConcurrent ?? 2);
  }

  /** Engine runs started by this renderer (espeak-ng syntheses, not the detection's probes). */
  get renders(): number {
    return this.synthRuns;
  }

  health(): Promise<SpeechHealth> {
    this.detected ??= this.detect();
    return this.detected;
  }

  async available(lang?: SpeechLang): Promise<boolean> {
    const h = await this.health();
    return lang === undefined ? h.available : h.langs.includes(lang);
  }

  /** Resolves once no render is running (a daemon stopping waits for this before its data folder
   * may go). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight.values()]);
    if (this.detected) await this.detected.catch(() => undefined);
  }

  async render(text: string, lang: SpeechLang): Promise<RenderedSpeech> {
    if (!isSpeechLang(lang)) throw new SpeechError('BAD_LANG', `lang "${String(lang)}" is not one of ${SPEECH_LANGS.join(', ')}`);
    const clean = normaliseSpeechText(text);
    const h = await this.health();
    if (!h.langs.includes(lang)) throw new SpeechError('TTS_UNAVAILABLE', `speech in ${lang} is not available: ${h.reason ?? 'no voice'}`);
    const voice = this.chosen[lang]!;
    const key = speechCacheKey({ engine: ENGINE, version: h.version ?? '', voice, params: { ...this.params, out: 'wav-8000-1-16' }, text: clean });
    const fileName = speechCacheFileName(voice, key);
    const running = this.inflight.get(fileName);
    if (running) return running;
    const p = this.renderOnce(clean, voice, fileName)
      .catch((err: unknown) => {
        // The cache folder (mkdir, rename) and anything else unforeseen: still a SpeechError.
        throw err instanceof SpeechError ? err : new SpeechError('TTS_FAILED', `speech cache ${this.cache.dir}: ${(err as Error).message}`);
      })
      .finally(() => this.inflight.delete(fileName));
    this.inflight.set(fileName, p);
    return p;
  }

  private async renderOnce(text: string, voice: string, fileName: string): Promise<RenderedSpeech> {
    await this.cache.ensureDir();
    const hit = await this.cache.lookup(fileName);
    if (hit) return { ...hit, cached: true, voice };
    return this.limiter.run(async () => {
      const started = Date.now();
      const raw = this.cache.tmpPath('raw');
      const out = this.cache.tmpPath('8k');
      try {
        this.synthRuns++;
        const { speed, pitch, amplitude } = this.params;
        // -b 1: the input is UTF-8. No -m: markup is not interpreted.
        await this.run(this.espeak, ['-v', voice, '-s', String(speed), '-p', String(pitch), '-a', String(amplitude), '-b', '1', '-w', raw, '--stdin'], `${text}\n`);
        await this.run(this.sox, ['-q', raw, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', out]);
        const info = await readWavInfo(out).catch((err: unknown) => {
          throw new SpeechError('TTS_FAILED', `sox wrote no valid WAV: ${(err as Error).message}`);
        });
        const mismatch = telephonyMismatch(info);
        if (mismatch) throw new SpeechError('TTS_FAILED', `rendered file is not telephony audio: ${mismatch}`);
        const saved = await this.cache.commit(out, fileName, info.durationMs);
        this.logger.debug({ voice, chars: text.length, durationMs: info.durationMs, tookMs: Date.now() - started, file: saved.path }, 'speech rendered');
        return { ...saved, cached: false, voice };
      } finally {
        await Promise.all([unlink(raw).catch(() => undefined), unlink(out).catch(() => undefined)]);
      }
    });
  }

  /** Runs a program; a non-zero exit, a kill or a missing program becomes a SpeechError. */
  private async run(file: string, args: string[], input?: string): Promise<void> {
    let r;
    try {
      r = await this.runner(file, args, { input, timeoutMs: this.timeoutMs });
    } catch (err) {
      if (err instanceof ProcessError && err.kind === 'timeout') throw new SpeechError('TTS_TIMEOUT', err.message);
      if (err instanceof ProcessError && err.kind === 'missing') throw new SpeechError('TTS_UNAVAILABLE', err.message);
      throw new SpeechError('TTS_FAILED', (err as Error).message);
    }
    if (r.code !== 0) throw new SpeechError('TTS_FAILED', `${file} exited with ${r.code ?? r.signal}: ${r.stderr.trim().slice(0, 500)}`);
  }

  /**
   * Looks for espeak-ng and sox and picks each language's voice, once. Never rejects. A voice is
   * taken when it reads a sample (`-x`, phonemes only, no audio) without switching to another
   * language: Debian's espeak-ng 1.51 `cmn` reads 您好 as the English words "nin two hao three"
   * (pinyin with its tone digits, espeak-ng issue #1236, fixed after 1.51), and is passed over for
   * `cmn-latn-pinyin`, which reads it as Mandarin.
   */
  private async detect(): Promise<SpeechHealth> {
    const probe = async (file: string, args: string[], input?: string): Promise<string | undefined> => {
      try {
        const r = await this.runner(file, args, { input, timeoutMs: this.timeoutMs });
        return r.code === 0 ? r.stdout : undefined;
      } catch {
        return undefined;
      }
    };
    const [espeakOut, soxOut] = await Promise.all([probe(this.espeak, ['--version']), probe(this.sox, ['--version'])]);
    const version = espeakOut === undefined ? undefined : (/text-to-speech:\s*(\S+)/.exec(espeakOut)?.[1] ?? 'unknown');
    const problems: string[] = [];
    const passedOver: string[] = [];
    if (espeakOut === undefined) problems.push(`${this.espeak} not found or not working (apt-get install espeak-ng)`);
    if (soxOut === undefined) problems.push(`${this.sox} not found or not working (apt-get install sox)`);
    const voices: Partial<Record<SpeechLang, string>> = {};
    if (espeakOut !== undefined) {
      for (const lang of SPEECH_LANGS) {
        const tried: string[] = [];
        for (const voice of this.candidates[lang]) {
          const phonemes = await probe(this.espeak, ['-v', voice, '-q', '-x', '-b', '1', '--stdin'], `${VOICE_SAMPLES[lang]}\n`);
          const why = phonemes === undefined ? 'not installed' : phonemes.trim() === '' ? 'says nothing' : /\([a-z]{2,3}\)/.test(phonemes) ? `reads "${VOICE_SAMPLES[lang]}" in another language: ${phonemes.trim().slice(0, 80)}` : undefined;
          if (why === undefined) {
            voices[lang] = voice;
            break;
          }
          tried.push(`${voice}: ${why}`);
        }
        if (voices[lang] === undefined) problems.push(`no working espeak-ng voice for ${lang} (${tried.join('; ')})`);
        else passedOver.push(...tried);
      }
    }
    if (soxOut === undefined) for (const lang of SPEECH_LANGS) delete voices[lang];
    this.chosen = voices;
    const langs = SPEECH_LANGS.filter((l) => voices[l] !== undefined);
    const h: SpeechHealth = { available: langs.length === SPEECH_LANGS.length, engine: ENGINE, langs, voices };
    if (version !== undefined) h.version = version;
    if (problems.length > 0) {
      h.reason = problems.join('; ');
      this.logger.warn({ engine: ENGINE, espeak: this.espeak, sox: this.sox, version, voices, reason: h.reason }, 'speech: offline TTS not (fully) available; prompts without a recorded file are left to the switch to synthesise');
    } else {
      this.logger.info({ engine: ENGINE, version, voices, passedOver, cacheDir: this.cache.dir }, 'speech: offline TTS available');
    }
    return h;
  }
}

/** What a voice must read in its own language to be taken. */
const VOICE_SAMPLES: Readonly<Record<SpeechLang, string>> = { 'zh-CN': '您好', 'en-US': 'hello' };

function intIn(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${v}`);
  return v;
}
