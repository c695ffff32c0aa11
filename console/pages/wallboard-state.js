// @ts-check
/**
 * The wallboard's state and the events that change it: a plain store, no DOM, no Preact, so that
 * test/unit can drive it from Node. Built for 500 agents and 50 calls a second: every event is an
 * O(1) change — a Map lookup, one row object replaced (so a memoised row re-renders and the 499
 * others do not), a few small arrays of that one agent copied. The agents' order (by agentId) is
 * computed when the snapshot arrives and changed only when an agent the snapshot did not have
 * shows up; it is never re-sorted on an event.
 *
 * Times are the daemon's: `since` values come from the events' `ts` and the API's own `since`, so
 * a PC whose clock is off still counts them right (the page adds its measured skew).
 */

/**
 * @typedef {object} CallView
 * @property {string} callId
 * @property {string} state CSTA connection state at the agent's phone (alerting, connected, hold, …)
 * @property {string} from
 * @property {string} to
 * @property {string | null} queue
 * @property {string | null} direction
 * @property {number | null} since epoch ms (daemon clock) the call entered its phase: offered, then answered
 * @property {string | null} monitoredBy a supervisor who barged in or whispers
 * @property {string | null} participation
 */
/**
 * @typedef {object} AwayAlert
 * @property {string} agentId
 * @property {string | null} team
 * @property {string | null} reason
 * @property {number} since epoch ms the agent became notReady
 * @property {number} thresholdS
 */
/**
 * @typedef {object} AgentRow
 * @property {string} agentId
 * @property {string} displayName
 * @property {string | null} extension
 * @property {string} state
 * @property {string | null} reason
 * @property {number} since epoch ms (daemon clock)
 * @property {readonly CallView[]} calls the calls at the agent's phone, oldest first
 * @property {AwayAlert | null} alert
 */
/**
 * @typedef {object} QueueToday
 * @property {string} [day]
 * @property {number} [offered]
 * @property {number} [answered]
 * @property {number} [answeredWithinSl]
 * @property {number} [abandoned]
 * @property {number} [shortAbandoned]
 * @property {number | null} [serviceLevel] 0..1
 * @property {number | null} [abandonRate] 0..1
 * @property {number} [slThresholdS]
 * @property {number} [shortAbandonS]
 * @property {string} [formula]
 */
/**
 * @typedef {object} QueueRow
 * @property {string} id
 * @property {string} name
 * @property {number} waiting
 * @property {number | null} longestSince epoch ms (daemon clock) the longest-waiting call came in; null when none waits
 * @property {number} agentsReady
 * @property {number} agentsBusy
 * @property {QueueToday | null} today absent until the daemon sends it
 */
/** @typedef {{callId: string, agentId: string, mode: string}} MonitorSession */
/**
 * @typedef {object} WallboardState
 * @property {Map<string, AgentRow>} agents
 * @property {string[]} order agentIds, sorted; a new array only when the set of agents changes
 * @property {Map<string, QueueRow>} queues
 * @property {string[]} queueOrder
 * @property {Map<string, AwayAlert>} alerts agents away too long, by agentId
 * @property {Map<string, number>} stateCounts agents per state, kept by each event (no count over 500 rows)
 * @property {'up' | 'down' | null} pbx
 * @property {MonitorSession | null} monitor the supervisor's own listening-in, as the daemon answered it
 * @property {boolean} loaded a snapshot was applied
 * @property {number} version grows with every change (the page re-renders when it moved)
 */

/** @returns {WallboardState} */
export function createWallboardState() {
  return { agents: new Map(), order: [], queues: new Map(), queueOrder: [], alerts: new Map(), stateCounts: new Map(), pbx: null, monitor: null, loaded: false, version: 0 };
}

const ENDED = new Set(['null', 'fail']);
/** Agent states in which the agent's `since` is when the current call's phase began. */
const CALL_PHASE = { alerting: 'reserved', connected: 'busy', hold: 'busy' };

/** @param {unknown} iso @param {number} fallback */
function ms(iso, fallback) {
  const t = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : fallback;
}

/** @param {string} a @param {string} b */
const byId = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** @param {any} q @param {number} at @returns {QueueRow} */
export function queueRow(q, at) {
  const waiting = Number(q.waiting) || 0;
  return {
    id: String(q.id),
    name: String(q.name ?? q.id),
    waiting,
    longestSince: waiting > 0 ? at - (Number(q.longestWaitMs) || 0) : null,
    agentsReady: Number(q.agentsReady) || 0,
    agentsBusy: Number(q.agentsBusy) || 0,
    today: q.today && typeof q.today === 'object' ? q.today : null,
  };
}

/**
 * Replaces everything with `supervisor.snapshot`'s answer. `at` is the daemon's time of the answer
 * (for the queues' longest waits). Alerts of agents still notReady since the same moment are kept:
 * the daemon sends each alert once, and a reconnect must not forget it.
 * @param {WallboardState} s @param {any} snap @param {number} at
 */
export function applySnapshot(s, snap, at) {
  /** @type {Map<string, AgentRow>} */
  const agents = new Map();
  for (const a of snap.agents ?? []) {
    const since = ms(a.since, at);
    /** @type {CallView[]} */
    const calls = (a.calls ?? []).map((/** @type {any} */ c) => ({
      callId: c.callId,
      state: c.state,
      from: c.from ?? '',
      to: c.to ?? '',
      queue: c.queue ?? null,
      direction: null,
      // The snapshot has no call times; the agent's state began with the call's phase.
      since: CALL_PHASE[/** @type {keyof typeof CALL_PHASE} */ (c.state)] === a.state ? since : null,
      monitoredBy: null,
      participation: null,
    }));
    const old = s.alerts.get(a.agentId);
    const alert = old && a.state === 'notReady' && old.since <= since + 1000 ? old : null;
    agents.set(a.agentId, { agentId: a.agentId, displayName: a.displayName ?? a.agentId, extension: a.extension ?? null, state: a.state, reason: a.reason ?? null, since, calls, alert });
  }
  s.alerts = new Map([...agents.values()].filter((a) => a.alert).map((a) => [a.agentId, /** @type {AwayAlert} */ (a.alert)]));
  s.agents = agents;
  s.order = [...agents.keys()].sort(byId);
  s.stateCounts = new Map();
  for (const a of agents.values()) countState(s, a.state, 1);
  s.queues = new Map((snap.queues ?? []).map((/** @type {any} */ q) => [String(q.id), queueRow(q, at)]));
  s.queueOrder = [...s.queues.keys()].sort(byId);
  s.pbx = snap.pbx ?? s.pbx;
  if (s.monitor) {
    const a = agents.get(s.monitor.agentId);
    if (!a?.calls.some((c) => c.callId === s.monitor?.callId)) s.monitor = null;
  }
  s.loaded = true;
  s.version++;
}

/** @param {WallboardState} s @param {string} state @param {number} by */
function countState(s, state, by) {
  const n = (s.stateCounts.get(state) ?? 0) + by;
  if (n > 0) s.stateCounts.set(state, n);
  else s.stateCounts.delete(state);
}

/** @param {WallboardState} s @param {string} agentId */
function agentOrNew(s, agentId) {
  const a = s.agents.get(agentId);
  if (a) return a;
  // An agent the snapshot did not list (created since): one sorted insert, rare.
  const row = { agentId, displayName: agentId, extension: null, state: 'loggedOut', reason: null, since: 0, calls: [], alert: null };
  s.agents.set(agentId, row);
  countState(s, row.state, 1);
  const order = [...s.order];
  let i = order.length;
  while (i > 0 && byId(/** @type {string} */ (order[i - 1]), agentId) > 0) i--;
  order.splice(i, 0, agentId);
  s.order = order;
  return row;
}

/**
 * One event of the WebSocket API. Returns true when it changed what the wallboard shows.
 * @param {WallboardState} s @param {{event: string, ts?: string, data: any}} e
 */
export function applyEvent(s, e) {
  const d = e.data ?? {};
  const at = ms(e.ts, Date.now());
  switch (e.event) {
    case 'agent.state':
      return agentState(s, d, at);
    case 'queue.stats':
      s.queues.set(String(d.id), queueRow(d, at));
      if (!s.queueOrder.includes(String(d.id))) s.queueOrder = [...s.queueOrder, String(d.id)].sort(byId);
      s.version++;
      return true;
    case 'supervisor.alert':
      return alert(s, d);
    case 'link.status':
      s.pbx = d.pbx;
      s.version++;
      return true;
    default:
      if (e.event.startsWith('call.') && typeof d.agentId === 'string' && typeof d.callId === 'string') return callEvent(s, e.event, d, at);
      return false;
  }
}

/** @param {WallboardState} s @param {any} d @param {number} at */
function agentState(s, d, at) {
  const old = agentOrNew(s, d.agentId);
  let alert = old.alert;
  // Leaving notReady (ready, a call, signing out) ends the stretch away; a new reason does not.
  if (alert && d.state !== 'notReady') {
    alert = null;
    s.alerts.delete(d.agentId);
  }
  countState(s, old.state, -1);
  countState(s, d.state, 1);
  s.agents.set(d.agentId, {
    ...old,
    extension: d.extension ?? (d.state === 'loggedOut' ? null : old.extension),
    state: d.state,
    reason: d.reason ?? null,
    since: ms(d.since, at),
    calls: d.state === 'loggedOut' ? [] : old.calls,
    alert,
  });
  s.version++;
  return true;
}

/** @param {WallboardState} s @param {any} d */
function alert(s, d) {
  if (d.kind !== 'awayTooLong' || typeof d.agentId !== 'string') return false;
  const old = agentOrNew(s, d.agentId);
  /** @type {AwayAlert} */
  const a = { agentId: d.agentId, team: d.team ?? null, reason: d.reason ?? null, since: ms(d.since, Date.now()), thresholdS: Number(d.thresholdS) || 0 };
  // An alert about a stretch the agent has already left (the agent.state came first) is stale.
  if (old.state !== 'notReady' && old.since > a.since) return false;
  s.alerts.set(d.agentId, a);
  s.agents.set(d.agentId, { ...old, alert: a });
  s.version++;
  return true;
}

/** @param {WallboardState} s @param {string} event @param {any} d @param {number} at */
function callEvent(s, event, d, at) {
  const old = agentOrNew(s, d.agentId);
  let calls = old.calls;
  if (d.replacesCallId) calls = calls.filter((c) => c.callId !== d.replacesCallId);
  const i = calls.findIndex((c) => c.callId === d.callId);
  if (ENDED.has(String(d.state))) {
    if (i >= 0) calls = calls.filter((c) => c.callId !== d.callId);
    if (s.monitor && s.monitor.callId === d.callId && s.monitor.agentId === d.agentId) s.monitor = null;
  } else {
    const prev = i >= 0 ? calls[i] : undefined;
    // The duration counts the phase: ringing from the offer, talking from the answer; hold and
    // retrieve do not restart it.
    const newPhase = !prev || prev.since === null || (prev.state === 'alerting' && d.state !== 'alerting');
    /** @type {CallView} */
    const call = {
      callId: d.callId,
      state: String(d.state),
      from: d.from ?? prev?.from ?? '',
      to: d.to ?? prev?.to ?? '',
      queue: d.queue ?? prev?.queue ?? null,
      direction: d.direction ?? prev?.direction ?? null,
      since: newPhase ? at : prev.since,
      monitoredBy: event === 'call.conferenced' && d.monitoredBy ? d.monitoredBy : (prev?.monitoredBy ?? null),
      participation: event === 'call.conferenced' && d.participation ? d.participation : (prev?.participation ?? null),
    };
    calls = i >= 0 ? calls.map((c, j) => (j === i ? call : c)) : [...calls, call];
  }
  if (calls === old.calls) return false;
  s.agents.set(d.agentId, { ...old, calls });
  s.version++;
  return true;
}

/** The call a row shows: the one talking, else on hold, else ringing, else the latest.
 * @param {readonly CallView[]} calls */
export function currentCall(calls) {
  return calls.find((c) => c.state === 'connected') ?? calls.find((c) => c.state === 'hold') ?? calls[calls.length - 1] ?? null;
}

/** The supervisor's listening-in as the daemon answered `supervisor.monitor` / `setMode`.
 * @param {WallboardState} s @param {MonitorSession | null} m */
export function setMonitor(s, m) {
  s.monitor = m;
  s.version++;
}

/** Agents away too long, longest away first (a handful; sorted when shown).
 * @param {WallboardState} s */
export function alertsList(s) {
  return [...s.alerts.values()].sort((a, b) => a.since - b.since);
}
