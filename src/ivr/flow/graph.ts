/**
 * The flow as a graph, and what each node reads and writes — the one place that knows which
 * fields of each node kind are targets, prompts, templates and variables, so that the static
 * checks (checks.ts), the docs and whoever walks a flow (the engine's tests) agree.
 *
 * Fields are named as paths relative to the node, dot-separated: `next`, `choices.5`,
 * `invalid.then`, `cases.0.then`, `set.vars.total` is `vars.total`.
 */
import type { Condition, FlowNode, PromptRef, RetryPolicy, Target } from './types.ts';

export interface Edge {
  /** The field holding the target, relative to the node (`choices.5`, `invalid.then`). */
  field: string;
  target: Target;
}

function retry(prefix: string, r: RetryPolicy): Edge {
  return { field: `${prefix}.then`, target: r.then };
}

/**
 * Every node a node may go to, one per Target field, in the order of the fields:
 *
 * | kind | target fields |
 * |---|---|
 * | play, say, set, saveData, language, voicemail | next |
 * | menu | choices.<key>, invalid.then, timeout.then |
 * | collect | next, invalid.then, timeout.then |
 * | branch | cases.<i>.then, else |
 * | hours | open, closed |
 * | lookupCustomer | found, notFound |
 * | query | found, notFound, error |
 * | webhook | next, onError |
 * | staffLogin | ok, denied |
 * | replayRecordings | notFound, invalid, back, done, error |
 * | queue, transfer, return, hangup | — (they end the flow) |
 * | every kind | onMaxVisits |
 */
export function edges(node: FlowNode): Edge[] {
  const out: Edge[] = [];
  switch (node.type) {
    case 'play':
    case 'say':
    case 'set':
    case 'saveData':
    case 'language':
    case 'voicemail':
      out.push({ field: 'next', target: node.next });
      break;
    case 'menu':
      for (const [key, target] of Object.entries(node.choices)) out.push({ field: `choices.${key}`, target });
      out.push(retry('invalid', node.invalid), retry('timeout', node.timeout));
      break;
    case 'collect':
      out.push({ field: 'next', target: node.next }, retry('invalid', node.invalid), retry('timeout', node.timeout));
      break;
    case 'branch':
      node.cases.forEach((c, i) => out.push({ field: `cases.${i}.then`, target: c.then }));
      out.push({ field: 'else', target: node.else });
      break;
    case 'hours':
      out.push({ field: 'open', target: node.open }, { field: 'closed', target: node.closed });
      break;
    case 'lookupCustomer':
      out.push({ field: 'found', target: node.found }, { field: 'notFound', target: node.notFound });
      break;
    case 'query':
      out.push({ field: 'found', target: node.found }, { field: 'notFound', target: node.notFound });
      if (node.error !== undefined) out.push({ field: 'error', target: node.error });
      break;
    case 'webhook':
      out.push({ field: 'next', target: node.next }, { field: 'onError', target: node.onError });
      break;
    case 'staffLogin':
      out.push({ field: 'ok', target: node.ok }, { field: 'denied', target: node.denied });
      break;
    case 'replayRecordings':
      out.push({ field: 'notFound', target: node.notFound }, { field: 'invalid', target: node.invalid }, { field: 'back', target: node.back }, { field: 'done', target: node.done });
      if (node.error !== undefined) out.push({ field: 'error', target: node.error });
      break;
    case 'queue':
    case 'transfer':
    case 'return':
    case 'hangup':
      break;
  }
  if (node.onMaxVisits !== undefined) out.push({ field: 'onMaxVisits', target: node.onMaxVisits });
  return out;
}

/** Nodes that wait for the caller (a key, digits, a message): a loop through one is bounded by the caller. */
export function waitsForCaller(node: FlowNode): boolean {
  return node.type === 'menu' || node.type === 'collect' || node.type === 'voicemail' || node.type === 'replayRecordings';
}

/** Variables an edge sets, besides what the node's other edges set: a name, or `<prefix>.*`. */
export function edgeSets(node: FlowNode, field: string): string[] {
  if (field === 'onMaxVisits') return []; // the node did not run
  switch (node.type) {
    case 'set':
      return Object.keys(node.vars ?? {}).concat(Object.keys(node.callData ?? {}).map((k) => `callData.${k}`));
    case 'collect':
      return field === 'next' ? [node.into] : [];
    case 'lookupCustomer':
    case 'query':
      return field === 'found' ? [`${node.into}.*`] : [];
    case 'webhook':
      return field === 'next' && node.into !== undefined ? [`${node.into}.*`] : [];
    case 'staffLogin':
      return field === 'ok' ? [`${node.into}.*`] : [];
    case 'branch': {
      const m = /^cases\.(\d+)\.then$/.exec(field);
      const c = m ? node.cases[Number(m[1])] : undefined;
      return c ? provenSet(c.if) : [];
    }
    default:
      return [];
  }
}

/** Variables a condition that holds proves set: `{var: x, set: true}`, also inside `all`. */
function provenSet(c: Condition): string[] {
  if ('all' in c) return c.all.flatMap(provenSet);
  if ('var' in c && c.set === true) return [c.var];
  return [];
}

export interface PromptUse {
  /** Relative to the node: `prompt`, `prompt.1`, `invalid.prompt`, `retryPrompts.0`. */
  field: string;
  name: string;
}

function refs(field: string, ref: PromptRef | undefined): PromptUse[] {
  if (ref === undefined) return [];
  if (typeof ref === 'string') return [{ field, name: ref }];
  return ref.map((name, i) => ({ field: `${field}.${i}`, name }));
}

/** Every prompt a node plays. */
export function promptUses(node: FlowNode): PromptUse[] {
  switch (node.type) {
    case 'play':
      return refs('prompt', node.prompt);
    case 'say':
      return [...refs('before', node.before), ...refs('after', node.after)];
    case 'menu':
      return [
        ...refs('prompt', node.prompt),
        ...(node.retryPrompts ?? []).flatMap((r, i) => refs(`retryPrompts.${i}`, r)),
        ...refs('invalid.prompt', node.invalid.prompt),
        ...refs('timeout.prompt', node.timeout.prompt),
      ];
    case 'collect':
      return [...refs('prompt', node.prompt), ...refs('invalid.prompt', node.invalid.prompt), ...refs('timeout.prompt', node.timeout.prompt)];
    case 'replayRecordings':
      return [...refs('intro', node.intro), ...refs('label', node.label), ...refs('end', node.end)];
    case 'queue':
    case 'transfer':
    case 'voicemail':
    case 'return':
    case 'hangup':
      return refs('prompt', node.prompt);
    default:
      return [];
  }
}

export interface TemplateField {
  field: string;
  value: string;
}

function each(prefix: string, rec: Record<string, string> | undefined): TemplateField[] {
  return Object.entries(rec ?? {}).map(([k, value]) => ({ field: `${prefix}.${k}`, value }));
}

/**
 * Every template field of a node: say.value, set.vars.*, set.callData.*, lookupCustomer.phone,
 * query.params.*, saveData.value, queue.queue, transfer.to, return.result, webhook.url,
 * webhook.body.*, staffLogin.phoneId/pin, replayRecordings.user/agent/date/hour.
 */
export function templateFields(node: FlowNode): TemplateField[] {
  switch (node.type) {
    case 'say':
      return [{ field: 'value', value: node.value }];
    case 'set':
      return [...each('vars', node.vars), ...each('callData', node.callData)];
    case 'lookupCustomer':
      return node.phone !== undefined ? [{ field: 'phone', value: node.phone }] : [];
    case 'query':
      return each('params', node.params);
    case 'saveData':
      return [{ field: 'value', value: node.value }];
    case 'queue':
      return [{ field: 'queue', value: node.queue }];
    case 'transfer':
      return [{ field: 'to', value: node.to }];
    case 'return':
      return [{ field: 'result', value: node.result }];
    case 'webhook':
      return [{ field: 'url', value: node.url }, ...each('body', node.body)];
    case 'staffLogin':
      return [{ field: 'phoneId', value: node.phoneId }, { field: 'pin', value: node.pin }];
    case 'replayRecordings':
      return [{ field: 'user', value: node.user }, { field: 'agent', value: node.agent }, { field: 'date', value: node.date }, { field: 'hour', value: node.hour }];
    default:
      return [];
  }
}

export interface ConditionRead {
  /** Relative to the node: `cases.0.if.var`, `cases.1.if.all.0.var`. */
  field: string;
  name: string;
  /** `{var, set: …}`: a test of whether it is set, which reads nothing. */
  setTest: boolean;
}

/** Every variable a branch's conditions test. */
export function conditionReads(node: FlowNode): ConditionRead[] {
  if (node.type !== 'branch') return [];
  const out: ConditionRead[] = [];
  const walk = (c: Condition, field: string): void => {
    if ('all' in c) c.all.forEach((s, i) => walk(s, `${field}.all.${i}`));
    else if ('any' in c) c.any.forEach((s, i) => walk(s, `${field}.any.${i}`));
    else if ('not' in c) walk(c.not, `${field}.not`);
    else if ('var' in c) out.push({ field: `${field}.var`, name: c.var, setTest: c.set !== undefined });
  };
  node.cases.forEach((c, i) => walk(c.if, `cases.${i}.if`));
  return out;
}
