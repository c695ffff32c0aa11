/**
 * Fault run: traffic through a switch on a bad day, then proof that nothing was left behind —
 * every call row ended, no agent stuck reserved (or busy with no call), the daemon's memory flat.
 *
 *   npm run bench:faults -- [--agents 30] [--rate 50] [--duration 60] [--talk 0.3] [--max-wait 20]
 *                           [--drop-events 2] [--response-delay 200] [--link-drop-every 15]
 *                           [--audit 5] [--audit-silence 10] [--settle 90] [--json]
 *
 * The method is in bench/lib/fault-run.ts; the figures in docs/performance.md ("Fault run").
 * Exits 1 when a check fails.
 */
import { parseArgs } from 'node:util';
import { describeFaultRun, FAULT_RUN_DEFAULTS, runFaultRun, type FaultRunOptions } from './lib/fault-run.ts';
import { loadAverage, machineInfo } from './lib/proc.ts';
import { numberOption } from './lib/options.ts';

function parseOptions(argv: string[]): FaultRunOptions & { json: boolean } {
  const d = FAULT_RUN_DEFAULTS;
  const { values } = parseArgs({
    args: argv,
    options: {
      agents: { type: 'string', default: String(d.agents) },
      rate: { type: 'string', default: String(d.rate) },
      duration: { type: 'string', default: String(d.durationS) },
      talk: { type: 'string', default: String(d.talkS) },
      'max-wait': { type: 'string', default: String(d.maxWaitS) },
      'drop-events': { type: 'string', default: String(d.dropEventsPercent) },
      'response-delay': { type: 'string', default: String(d.responseDelayMs) },
      'link-drop-every': { type: 'string', default: String(d.linkDropEveryS) },
      audit: { type: 'string', default: String(d.auditS) },
      'audit-silence': { type: 'string', default: String(d.auditSilenceS) },
      settle: { type: 'string', default: String(d.settleTimeoutS) },
      'data-root': { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('usage: npm run bench:faults -- [--agents 30] [--rate 50] [--duration 60] [--talk 0.3] [--max-wait 20] [--drop-events 2] [--response-delay 200] [--link-drop-every 15] [--audit 5] [--audit-silence 10] [--settle 90] [--data-root DIR] [--log-level warn] [--json]\n');
    process.exit(0);
  }
  const num = (name: string, raw: string, min: number, max: number): number => numberOption(name, raw, min, max);
  return {
    ...d,
    agents: num('agents', values.agents, 1, 2000),
    rate: num('rate', values.rate, 0.1, 1000),
    durationS: num('duration', values.duration, 1, 3600),
    talkS: num('talk', values.talk, 0, 3600),
    maxWaitS: num('max-wait', values['max-wait'], 1, 3600),
    dropEventsPercent: num('drop-events', values['drop-events'], 0, 100),
    responseDelayMs: num('response-delay', values['response-delay'], 0, 60_000),
    linkDropEveryS: num('link-drop-every', values['link-drop-every'], 0, 3600),
    auditS: num('audit', values.audit, 0, 86_400),
    auditSilenceS: num('audit-silence', values['audit-silence'], 1, 86_400),
    settleTimeoutS: num('settle', values.settle, 1, 3600),
    ...(values['data-root'] ? { dataRoot: values['data-root'] } : {}),
    logLevel: values['log-level'],
    json: values.json,
  };
}

async function main(): Promise<number> {
  const { json, ...opts } = parseOptions(process.argv.slice(2));
  const m = machineInfo();
  const loadBefore = loadAverage();
  process.stderr.write(`[faults] ${m.cpus} × ${m.cpuModel}, node ${m.node}, load ${loadBefore.map((x) => x.toFixed(2)).join(' ')}\n`);
  const r = await runFaultRun({ ...opts, progress: (msg) => process.stderr.write(`[faults] ${msg}\n`) });
  if (json) process.stdout.write(`${JSON.stringify({ ...r, machine: { ...m, loadBefore, loadAfter: loadAverage() } })}\n`);
  else process.stdout.write(`${describeFaultRun(r)}\n  machine: ${m.cpus} × ${m.cpuModel}, node ${m.node}, load ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before / ${loadAverage().map((x) => x.toFixed(2)).join(' ')} after\n`);
  return r.failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[faults] failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
