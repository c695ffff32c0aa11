// @ts-check
/**
 * The waveform of a recording, drawn on a canvas from the server's peaks (GET …/peaks: the min and
 * max of each of N buckets), with the paused spans shaded over it, the agents' legs marked under
 * it, and the play position as a line. A click (or the arrow keys) seeks. Not wavesurfer.js:
 * docs/console-recordings.md says why.
 */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';
import { duration, pct, position, spanWithin } from './recordings-format.js';

/** @typedef {import('./recordings-api.js').Peaks} Peaks */
/** @typedef {import('./recordings-api.js').Recording} Recording */

/** Draws min/max columns, one per device pixel column, scaled to the loudest sample. @param {HTMLCanvasElement} canvas @param {Peaks} peaks */
function draw(canvas, peaks) {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const h = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const g = canvas.getContext('2d');
  if (!g) return;
  g.clearRect(0, 0, w, h);
  const n = peaks.min.length;
  if (n === 0) return;
  let loudest = 1;
  for (let i = 0; i < n; i++) loudest = Math.max(loudest, Math.abs(peaks.min[i] ?? 0), Math.abs(peaks.max[i] ?? 0));
  const mid = h / 2;
  const scale = (h / 2 - 1) / loudest;
  g.fillStyle = getComputedStyle(canvas).color || '#1f6feb';
  for (let x = 0; x < w; x++) {
    const a = Math.floor((x / w) * n);
    const b = Math.max(a + 1, Math.floor(((x + 1) / w) * n));
    let lo = 0;
    let hi = 0;
    for (let i = a; i < b && i < n; i++) {
      lo = Math.min(lo, peaks.min[i] ?? 0);
      hi = Math.max(hi, peaks.max[i] ?? 0);
    }
    const top = mid - hi * scale;
    g.fillRect(x, top, 1, Math.max(1, mid - lo * scale - top));
  }
}

/**
 * @param {object} props
 * @param {Recording} props.recording
 * @param {Peaks | null} props.peaks null while loading
 * @param {boolean} [props.failed] the peaks could not be had (the page says why)
 * @param {number} props.lengthMs
 * @param {number} props.currentMs
 * @param {(ms: number) => void} props.onSeek
 */
export function Waveform({ recording, peaks, failed = false, lengthMs, currentMs, onSeek }) {
  const { t } = useI18n();
  const canvas = useRef(/** @type {HTMLCanvasElement | null} */ (null));

  useEffect(() => {
    const c = canvas.current;
    if (!c || !peaks) return undefined;
    draw(c, peaks);
    // Redrawn at the new width when the page is resized.
    const ro = new ResizeObserver(() => draw(c, peaks));
    ro.observe(c);
    return () => ro.disconnect();
  }, [peaks]);

  /** @param {MouseEvent} e */
  const click = (e) => {
    const box = /** @type {HTMLElement} */ (e.currentTarget).getBoundingClientRect();
    if (box.width <= 0) return;
    onSeek(Math.round(Math.min(1, Math.max(0, (e.clientX - box.left) / box.width)) * lengthMs));
  };
  /** @param {KeyboardEvent} e */
  const key = (e) => {
    const step = e.shiftKey ? 1000 : 5000;
    if (e.key === 'ArrowLeft') onSeek(Math.max(0, currentMs - step));
    else if (e.key === 'ArrowRight') onSeek(Math.min(lengthMs, currentMs + step));
    else if (e.key === 'Home') onSeek(0);
    else return;
    e.preventDefault();
  };

  const paused = recording.paused.map((p) => spanWithin(p, lengthMs));
  const legs = recording.agents.map((a) => ({ ...a, ...spanWithin(a, lengthMs) }));

  return html`<div class="waveform-box">
    <div
      class="waveform"
      data-test="waveform"
      data-state=${peaks ? 'drawn' : failed ? 'failed' : 'loading'}
      data-length-ms=${lengthMs}
      role="slider"
      tabindex="0"
      aria-label=${t('recordings.player.waveform')}
      aria-valuemin="0"
      aria-valuemax=${Math.round(lengthMs / 1000)}
      aria-valuenow=${Math.round(currentMs / 1000)}
      aria-valuetext=${position(currentMs)}
      onClick=${click}
      onKeyDown=${key}
    >
      <canvas ref=${canvas} class="waveform-canvas" data-test="waveform-canvas"></canvas>
      ${paused.map(
        (p) => html`<div
          class="waveform-paused"
          data-test="paused-span"
          data-from-ms=${p.fromMs}
          data-to-ms=${p.toMs}
          style=${{ left: pct(p.fromMs, lengthMs), width: pct(p.toMs - p.fromMs, lengthMs) }}
          title=${t('recordings.player.pausedSpan', { from: position(p.fromMs), to: position(p.toMs) })}
        ></div>`,
      )}
      <div class="waveform-cursor" data-test="waveform-cursor" style=${{ left: pct(Math.min(currentMs, lengthMs), lengthMs) }}></div>
      ${!peaks && html`<span class="waveform-loading">${t(failed ? 'recordings.player.noWave' : 'recordings.player.loadingWave')}</span>`}
    </div>
    <div class="waveform-legs" data-test="agent-segments">
      ${legs.map(
        (a, i) => html`<div
          class=${`waveform-leg leg-${i % 4}`}
          data-test="agent-segment"
          data-agent=${a.agentId}
          data-from-ms=${a.fromMs}
          data-to-ms=${a.toMs}
          style=${{ left: pct(a.fromMs, lengthMs), width: pct(a.toMs - a.fromMs, lengthMs) }}
          title=${t('recordings.player.leg', { agent: a.agentId, extension: a.extension, from: position(a.fromMs), to: position(a.toMs) })}
        >${a.agentId}</div>`,
      )}
    </div>
    <div class="waveform-scale"><span>0:00</span><span>${duration(lengthMs)}</span></div>
  </div>`;
}
