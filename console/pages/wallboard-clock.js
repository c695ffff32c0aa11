// @ts-check
/**
 * One clock for every duration on the wallboard (time in state, call durations, longest waits):
 * a single interval writes the text of the <span>s that show a duration, without re-rendering a
 * component. With 500 agents that is 500 text nodes a second, not 500 component renders; Preact
 * never touches the text because the span it renders has no children.
 */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';

/** @param {number} ms */
export function formatDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** The daemon's clock minus ours, measured from each event's `ts` (set by the page). */
export const clock = { skewMs: 0 };

/** @type {Map<HTMLElement, number>} span → since (epoch ms, daemon clock) */
const spans = new Map();
/** @type {ReturnType<typeof setInterval> | null} */
let timer = null;

function tick() {
  const now = Date.now() + clock.skewMs;
  for (const [el, since] of spans) {
    const text = formatDuration(now - since);
    if (el.textContent !== text) el.textContent = text;
  }
}

/** @param {HTMLElement} el @param {number} since */
function track(el, since) {
  spans.set(el, since);
  el.textContent = formatDuration(Date.now() + clock.skewMs - since);
  if (!timer) timer = setInterval(tick, 1000);
}

/** @param {HTMLElement} el */
function untrack(el) {
  spans.delete(el);
  if (spans.size === 0 && timer) {
    clearInterval(timer);
    timer = null;
  }
}

/**
 * The time since `since` (daemon clock), counting; nothing when `since` is null.
 * @param {{since: number | null, test?: string}} props
 */
export function Elapsed({ since, test }) {
  const ref = useRef(/** @type {HTMLSpanElement | null} */ (null));
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    if (since === null) {
      el.textContent = '';
      return undefined;
    }
    track(el, since);
    return () => untrack(el);
  }, [since]);
  return html`<span class="elapsed" data-test=${test} data-since=${since ?? ''} ref=${ref}></span>`;
}
