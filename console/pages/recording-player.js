// @ts-check
/**
 * The player of one recording: what it is (caller, callee, agents, queue, start, length, tags),
 * the waveform with paused spans and agent legs, play/pause, the position, seek by clicking.
 *
 * The audio: an <audio> element cannot send the bearer header, so Play first asks
 * POST …/play-url for a URL signed for this user (5 minutes) and plays that; every fetch the
 * element makes of it is a `play` row in the access ledger (with its byte range). A URL that has
 * expired (or about to) is asked again, keeping the position.
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { tOr, useI18n } from '../i18n/index.js';
import { getPeaks, playUrl } from './recordings-api.js';
import { dateTime, duration, position } from './recordings-format.js';
import { LegalHold } from './recording-hold.js';
import { Waveform } from './waveform.js';

/** @typedef {import('./recordings-api.js').Recording} Recording */
/** @typedef {import('./recordings-api.js').Peaks} Peaks */

/** Buckets asked of the server: more than the widest waveform has pixels at 1x. */
const POINTS = 1200;
/** A signed URL is asked again this long before it expires. */
const URL_MARGIN_MS = 15_000;

/**
 * @param {object} props
 * @param {Recording} props.recording
 * @param {import('../api.js').Session} props.session
 * @param {boolean} props.canHold
 * @param {(r: Recording) => void} props.onChanged the recording with a changed hold
 * @param {(err: unknown) => void} props.onError
 * @param {(ms: number) => void} [props.onPosition] the play position, for comments at a time
 */
export function RecordingPlayer({ recording, session, canHold, onChanged, onError, onPosition }) {
  const { t, locale } = useI18n();
  const audio = useRef(/** @type {HTMLAudioElement | null} */ (null));
  const signed = useRef(/** @type {{url: string, expiresAt: number} | null} */ (null));
  const [peaks, setPeaks] = useState(/** @type {Peaks | null} */ (null));
  const [waveFailed, setWaveFailed] = useState(false);
  const [currentMs, setCurrentMs] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [busy, setBusy] = useState(false);
  const [audioError, setAudioError] = useState(/** @type {string | null} */ (null));
  const lengthMs = recording.durationMs ?? peaks?.durationMs ?? 0;

  useEffect(() => {
    let live = true;
    setPeaks(null);
    setWaveFailed(false);
    setCurrentMs(0);
    setPlaying(false);
    setAudioError(null);
    signed.current = null;
    const a = audio.current;
    if (a) {
      a.pause();
      a.removeAttribute('src');
      a.load();
    }
    getPeaks(recording.id, POINTS, session.token).then(
      (p) => live && setPeaks(p),
      (err) => {
        if (!live) return;
        setWaveFailed(true);
        onError(err);
      },
    );
    return () => {
      live = false;
    };
  }, [recording.id]);

  useEffect(() => onPosition?.(currentMs), [currentMs]);

  /** A fresh signed URL on the element, at the position it had. */
  const load = async () => {
    const a = audio.current;
    if (!a) return;
    const at = currentMs;
    const u = await playUrl(recording.id, session.token);
    signed.current = { url: u.url, expiresAt: Date.parse(u.expiresAt) };
    a.src = u.url;
    a.currentTime = at / 1000;
  };

  const play = async () => {
    const a = audio.current;
    if (!a) return;
    setBusy(true);
    setAudioError(null);
    try {
      if (!signed.current || signed.current.expiresAt - Date.now() < URL_MARGIN_MS) await load();
      await a.play();
    } catch (err) {
      // Paused before it started: not a failure.
      if (err instanceof DOMException && err.name === 'AbortError') return;
      onError(err);
    } finally {
      setBusy(false);
    }
  };

  /** @param {number} ms */
  const seek = (ms) => {
    setCurrentMs(ms);
    const a = audio.current;
    if (a && signed.current) a.currentTime = ms / 1000;
  };

  const onAudioError = () => {
    // Emptied on purpose (another recording opened): nothing failed.
    if (!audio.current?.getAttribute('src')) return;
    // The element does not say why; an expired URL (403) is the likely one: one new URL.
    if (signed.current && signed.current.expiresAt - Date.now() < URL_MARGIN_MS) {
      load().catch(onError);
      return;
    }
    setPlaying(false);
    setAudioError(t('recordings.player.audioError'));
  };
  const sync = () => {
    const a = audio.current;
    if (a && signed.current) setCurrentMs(Math.round(a.currentTime * 1000));
  };

  const agents = [...new Set(recording.agents.map((a) => a.agentId))];
  return html`<section
    class="recording-player"
    data-test="player"
    data-recording-id=${recording.id}
    data-playing=${String(playing)}
    data-current-ms=${currentMs}
  >
    <header class="player-head">
      <h3>${recording.caller} → ${recording.callee}</h3>
      <span class="muted">${dateTime(recording.startedAt, locale)}</span>
    </header>
    <dl class="player-meta">
      <dt>${t('recordings.col.duration')}</dt><dd data-test="player-duration">${duration(lengthMs)}</dd>
      <dt>${t('recordings.col.direction')}</dt><dd>${tOr(t, `recordings.direction.${recording.direction}`, recording.direction)}</dd>
      <dt>${t('recordings.col.agents')}</dt><dd>${agents.join(', ') || '—'}</dd>
      <dt>${t('recordings.col.queue')}</dt><dd>${recording.queue ?? '—'}</dd>
      <dt>${t('recordings.field.callId')}</dt><dd class="mono">${recording.callId}</dd>
      <dt>${t('recordings.col.tags')}</dt><dd>${recording.tags.join(', ') || '—'}</dd>
      <dt>${t('recordings.player.tier')}</dt><dd>${tOr(t, `recordings.tier.${recording.tier}`, recording.tier)}</dd>
    </dl>
    <${Waveform} recording=${recording} peaks=${peaks} failed=${waveFailed} lengthMs=${lengthMs} currentMs=${currentMs} onSeek=${seek} />
    <div class="player-controls">
      ${playing
        ? html`<button type="button" data-test="pause" onClick=${() => audio.current?.pause()}>${t('recordings.player.pause')}</button>`
        : html`<button type="button" class="primary" data-test="play" disabled=${busy} onClick=${() => void play()}>${t('recordings.player.play')}</button>`}
      <span class="player-time" data-test="player-time">${position(currentMs)} / ${duration(lengthMs)}</span>
      ${recording.paused.length > 0 && html`<span class="legend legend-paused">${t('recordings.player.legendPaused')}</span>`}
      ${audioError && html`<span class="error" role="alert" data-test="audio-error">${audioError}</span>`}
    </div>
    <audio
      ref=${audio}
      preload="none"
      data-test="audio"
      onPlay=${() => setPlaying(true)}
      onPause=${() => setPlaying(false)}
      onEnded=${() => setPlaying(false)}
      onTimeUpdate=${sync}
      onSeeked=${sync}
      onError=${onAudioError}
    ></audio>
    <${LegalHold} recording=${recording} session=${session} canHold=${canHold} onChanged=${onChanged} />
  </section>`;
}
