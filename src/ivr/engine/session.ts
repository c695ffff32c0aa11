/**
 * One call's journey through one version of a flow: a state machine in the pure core. `handle`
 * takes an input and the time, and returns the effects; the session never does I/O and keeps no
 * timers of its own (it names them; the adapter runs them and reports them back).
 *
 * The session holds at most one play, one timer and one request at a time, each numbered: an
 * input about an older one (a prompt that ended after the caller moved on, a timer that fired as
 * it was cancelled) is ignored. Moving to another node stops the current play and timer.
 * Nodes that do not wait (set, branch, language …) chain within one input; more than
 * MAX_CHAINED_STEPS of them in a row is a loop the static checks should have refused, and ends the
 * call with an error rather than spinning.
 */
import type { FlowNode, Lang, LoadedFlow, PromptRef } from '../flow/types.ts';
import { stepOf } from '../nodes/index.ts';
import type { IvrOutcome, IvrStatEvent } from '../statistics/types.ts';
import type { NodeStep, StepContext } from './step.ts';
import { render } from './templates.ts';
import type { Departure, IvrEffect, IvrInput, IvrRequest, PlayItem } from './types.ts';

export const MAX_CHAINED_STEPS = 1000;

export interface SessionInit {
  callId: string;
  caller: string;
  called: string;
  callerName?: string | null;
  /** The agent a `call.toIvr` came from. */
  returnTo?: string | null;
  /** The call's data as it arrived (flattened to `callData.<key>` variables). */
  callData?: Record<string, unknown> | null;
  lang?: Lang;
  timeZone: string;
}

type Phase = 'new' | 'running' | 'leaving' | 'ended';

export class IvrSession {
  readonly vars = new Map<string, string>();
  lang: Lang;
  nodeId: string;
  private phase: Phase = 'new';
  private local: Record<string, unknown> = {};
  private readonly visits = new Map<string, number>();
  private seq = 0;
  private playId: number | null = null;
  private timerId: number | null = null;
  private reqId: number | null = null;
  private leaveReq: { reqId: number; outcome: IvrOutcome } | null = null;
  private servedAs: 'selfService' | 'voicemail' | null = null;
  private enteredAt = 0;
  private out: IvrEffect[] = [];
  private now = 0;
  private pendingGoto: string | null = null;
  /** The call's recording is paused by this session (a sensitive input). */
  private recordingPaused = false;
  /** A play with nothing to say, ended as soon as the step that asked for it returns. */
  private emptyPlay: number | null = null;
  private readonly ctx: StepContext;

  constructor(
    readonly flow: LoadedFlow,
    readonly init: SessionInit,
  ) {
    this.lang = init.lang && flow.def.languages.includes(init.lang) ? init.lang : flow.def.languages[0]!;
    this.nodeId = flow.def.start;
    const v = this.vars;
    v.set('caller', init.caller);
    v.set('called', init.called);
    v.set('callerName', init.callerName ?? '');
    v.set('flow', flow.def.id);
    v.set('returnTo', init.returnTo ?? '');
    v.set('lang', this.lang);
    for (const [k, val] of Object.entries(init.callData ?? {})) v.set(`callData.${k}`, typeof val === 'string' ? val : JSON.stringify(val));
    this.ctx = this.makeContext();
  }

  get leaving(): boolean {
    return this.phase === 'leaving';
  }

  get ended(): boolean {
    return this.phase === 'ended';
  }

  get currentNode(): FlowNode | undefined {
    return this.flow.def.nodes[this.nodeId];
  }

  handle(input: IvrInput, now: number): IvrEffect[] {
    this.now = now;
    this.out = [];
    if (this.phase === 'ended') return this.out;
    switch (input.kind) {
      case 'start':
        if (this.phase !== 'new') break;
        this.phase = 'running';
        this.enteredAt = now;
        this.stat('flowEnter', null);
        this.enter(this.flow.def.start);
        break;
      case 'hangup':
        this.finish(this.servedAs ?? 'abandoned');
        break;
      case 'departed':
        if (this.leaveReq) this.finish(this.leaveReq.outcome);
        else this.finish(this.servedAs ?? 'abandoned');
        break;
      case 'key':
        if (this.phase !== 'running') break;
        this.stat('key', this.nodeId);
        this.dispatch((s, n) => s.key?.(this.ctx, n, input.key));
        break;
      case 'playEnded':
        if (input.playId !== this.playId) break;
        this.playId = null;
        this.dispatch((s, n) => s.playEnded?.(this.ctx, n, input.cause));
        break;
      case 'timer':
        if (input.timerId !== this.timerId) break;
        this.timerId = null;
        this.dispatch((s, n) => s.timer?.(this.ctx, n));
        break;
      case 'result':
        if (this.leaveReq && input.reqId === this.leaveReq.reqId) {
          if (input.ok) this.finish(this.leaveReq.outcome);
          else {
            this.log('warn', 'the call could not leave the flow; cleared', { node: this.nodeId, error: input.error });
            this.finish('error', { kind: 'hangup' });
          }
          break;
        }
        if (input.reqId !== this.reqId) break;
        this.reqId = null;
        this.dispatch((s, n) => s.result?.(this.ctx, n, input.ok, input.value, input.error));
        break;
    }
    return this.out;
  }

  // --------------------------------------------------------------------------------- internals

  private dispatch(fn: (step: NodeStep, node: FlowNode) => void): void {
    if (this.phase !== 'running') return;
    const node = this.currentNode;
    if (!node) return;
    fn(stepOf(node), node);
    this.drain();
  }

  /** Runs what the last step left to do: the end of a play that had nothing to say, and the nodes
   * entered by `goto`, one after another, until one waits. */
  private drain(): void {
    let steps = 0;
    while (this.phase === 'running') {
      if (this.emptyPlay !== null) {
        const id = this.emptyPlay;
        this.emptyPlay = null;
        const node = this.currentNode;
        if (this.playId === id && node) {
          this.playId = null;
          stepOf(node).playEnded?.(this.ctx, node, 'endOfMessage');
        }
        continue;
      }
      const target = this.pendingGoto;
      if (target === null) return;
      this.pendingGoto = null;
      if (++steps > MAX_CHAINED_STEPS) {
        this.log('warn', 'IVR flow loops without waiting for the caller; call cleared', { node: target });
        this.finish('error', { kind: 'hangup' });
        return;
      }
      this.enterNow(target);
    }
  }

  private enter(target: string): void {
    this.pendingGoto = target;
    this.drain();
  }

  private enterNow(target: string): void {
    const node = this.flow.def.nodes[target];
    if (!node) {
      this.log('warn', 'IVR flow leads to a node that does not exist; call cleared', { node: target });
      this.finish('error', { kind: 'hangup' });
      return;
    }
    const visits = (this.visits.get(target) ?? 0) + 1;
    this.visits.set(target, visits);
    if (node.maxVisits !== undefined && visits > node.maxVisits && node.onMaxVisits !== undefined) {
      this.pendingGoto = node.onMaxVisits;
      return;
    }
    this.nodeId = target;
    this.local = {};
    this.stat('nodeEnter', target);
    if (node.selfService) this.servedAs ??= 'selfService';
    stepOf(node).enter(this.ctx, node);
  }

  private goto(target: string): void {
    this.resumeRecording();
    if (this.playId !== null) {
      this.out.push({ kind: 'stopPlay', playId: this.playId });
      this.playId = null;
    }
    this.cancelTimer();
    this.reqId = null;
    this.pendingGoto = target;
  }

  /** A sensitive input is over (the node moved on, the call leaves or ends): the recording goes on. */
  private resumeRecording(): void {
    if (!this.recordingPaused) return;
    this.recordingPaused = false;
    this.out.push({ kind: 'recordingPause', paused: false });
  }

  private cancelTimer(): void {
    if (this.timerId !== null) {
      this.out.push({ kind: 'cancelTimer', timerId: this.timerId });
      this.timerId = null;
    }
  }

  private finish(outcome: IvrOutcome, departure?: Departure): void {
    if (this.phase === 'ended') return;
    this.resumeRecording();
    if (this.playId !== null) this.out.push({ kind: 'stopPlay', playId: this.playId });
    this.cancelTimer();
    this.playId = null;
    this.reqId = null;
    if (departure) this.out.push({ kind: 'leave', reqId: ++this.seq, departure });
    this.stat('flowExit', this.nodeId, outcome);
    this.phase = 'ended';
    this.out.push({ kind: 'ended', outcome });
  }

  private stat(kind: IvrStatEvent['kind'], node: string | null, outcome?: IvrOutcome): void {
    const event: IvrStatEvent = { at: this.now, callId: this.init.callId, flow: this.flow.def.id, version: this.flow.version, node, kind };
    if (outcome) {
      event.outcome = outcome;
      event.durationMs = Math.max(0, this.now - this.enteredAt);
    }
    this.out.push({ kind: 'stat', event });
  }

  private log(level: 'info' | 'warn', msg: string, data: Record<string, unknown> = {}): void {
    this.out.push({ kind: 'log', level, msg, data: { flow: this.flow.def.id, version: this.flow.version, node: this.nodeId, ...data } });
  }

  private promptItems(ref: PromptRef | undefined): PlayItem[] {
    if (ref === undefined) return [];
    const items: PlayItem[] = [];
    for (const id of typeof ref === 'string' ? [ref] : ref) {
      const p = this.flow.def.prompts[id];
      if (!p) continue;
      const t = p[this.lang] ?? p[this.flow.def.languages[0]!];
      if (t === undefined) continue;
      if (typeof t === 'string') items.push({ kind: 'prompt', promptId: id, lang: this.lang, text: t });
      else items.push({ kind: 'prompt', promptId: id, lang: t.lang ?? this.lang, text: t.text ?? '', ...(t.file !== undefined ? { file: t.file } : {}) });
    }
    return items;
  }

  private makeContext(): StepContext {
    const s = this;
    return {
      get now() { return s.now; },
      get nodeId() { return s.nodeId; },
      get flowId() { return s.flow.def.id; },
      get lang() { return s.lang; },
      get timeZone() { return s.init.timeZone; },
      get local() { return s.local; },
      vars: s.vars,
      render: (t) => render(t, s.vars),
      prompt: (ref) => s.promptItems(ref),
      play(items, bargeIn) {
        if (s.playId !== null) s.out.push({ kind: 'stopPlay', playId: s.playId });
        const playId = ++s.seq;
        s.playId = playId;
        if (items.length === 0) {
          s.emptyPlay = playId;
          return;
        }
        s.out.push({ kind: 'play', playId, items, bargeIn });
      },
      timer(seconds) {
        s.cancelTimer();
        const timerId = ++s.seq;
        s.timerId = timerId;
        s.out.push({ kind: 'startTimer', timerId, ms: Math.round(seconds * 1000) });
      },
      cancelTimer: () => s.cancelTimer(),
      request(r: IvrRequest) {
        const reqId = ++s.seq;
        s.reqId = reqId;
        s.out.push({ kind: 'request', reqId, request: r });
      },
      setCallData: (data) => s.out.push({ kind: 'setCallData', data }),
      saveData: (name, value, sensitive) => s.out.push({ kind: 'saveData', node: s.nodeId, name, value, sensitive }),
      goto: (target) => s.goto(target),
      leave(d, outcome) {
        s.resumeRecording();
        if (s.playId !== null) s.out.push({ kind: 'stopPlay', playId: s.playId });
        s.playId = null;
        s.cancelTimer();
        const reqId = ++s.seq;
        // A flow that hangs up after the caller was served (a message left, a balance heard)
        // ends with that outcome, not as a hang-up by the flow.
        s.leaveReq = { reqId, outcome: outcome === 'hangup' && s.servedAs ? s.servedAs : outcome };
        s.phase = 'leaving';
        s.out.push({ kind: 'leave', reqId, departure: d });
      },
      stat: (kind) => s.stat(kind, s.nodeId),
      setLang(lang: Lang) {
        s.lang = lang;
        s.vars.set('lang', lang);
      },
      served(how) {
        if (how === 'voicemail' || s.servedAs === null) s.servedAs = how;
      },
      log: (level, msg, data) => s.log(level, msg, data),
      replayed: (recordingId, user) => s.out.push({ kind: 'replayed', recordingId, user }),
      pauseRecording() {
        if (s.recordingPaused) return;
        s.recordingPaused = true;
        s.out.push({ kind: 'recordingPause', paused: true });
      },
    };
  }

}
