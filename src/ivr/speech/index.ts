/**
 * Speech for the IVR (docs/ivr.md, "Speech"): recorded prompts first, else text rendered offline
 * by espeak-ng (8 kHz WAV, cached by text and voice), else the switch's own TTS.
 */
import { join } from 'node:path';
import { EspeakRenderer, type EspeakRendererOptions } from './espeak-renderer.ts';
import type { SpeechLogger } from './prompt-cache.ts';
import { PromptLibrary } from './prompt-library.ts';
import { PromptResolver } from './prompt-resolver.ts';

export { type RenderedSpeech, type SpeechErrorCode, type SpeechHealth, type SpeechLang, type SpeechRenderer, isSpeechLang, MAX_SPEECH_TEXT_CHARS, normaliseSpeechText, SPEECH_LANGS, SpeechError } from './renderer.ts';
export { EspeakRenderer, VOICE_CANDIDATES, type EspeakRendererOptions } from './espeak-renderer.ts';
export { type CachedSpeech, SPEECH_CACHE_FORMAT, SpeechCache, type SpeechCacheKeyParts, speechCacheFileName, speechCacheKey, type SpeechLogger } from './prompt-cache.ts';
export { isValidPromptId, PROMPT_ID_PATTERN, PromptLibrary, type PromptLibraryOptions, type RecordedPrompt } from './prompt-library.ts';
export { type PromptResolverOptions, type PromptSource, type PromptToPlay, PromptResolver, type ResolvedPrompt, ttsId } from './prompt-resolver.ts';
export { Limiter, ProcessError, type ProcessRunner, type RunOptions, type RunResult, runProcess } from './process-runner.ts';
export { parseWavHeader, readWavInfo, TELEPHONY_FORMAT, telephonyMismatch, WAV_HEADER_SCAN_BYTES, WavError, type WavInfo } from './wav-info.ts';

/** Where the daemon keeps rendered speech. */
export function speechCacheDir(dataDir: string): string {
  return join(dataDir, 'speech-cache');
}

export interface SpeechSetup {
  renderer: EspeakRenderer;
  library: PromptLibrary;
  resolver: PromptResolver;
}

/** The daemon's wiring: espeak-ng rendering into `DATA_DIR/speech-cache`, the optional
 * `PROMPTS_DIR` library, and the resolver over both. Starts the engine check in the background. */
export function createSpeech(opts: { dataDir: string; promptsDir?: string; logger: SpeechLogger } & Partial<Omit<EspeakRendererOptions, 'cacheDir' | 'logger'>>): SpeechSetup {
  const { dataDir, promptsDir, logger, ...rest } = opts;
  const renderer = new EspeakRenderer({ ...rest, cacheDir: speechCacheDir(dataDir), logger });
  const library = new PromptLibrary({ dir: promptsDir, logger });
  void renderer.health();
  return { renderer, library, resolver: new PromptResolver({ library, renderer, logger }) };
}
