/** Every node kind's step, by `type`. */
import type { FlowNode, NodeKind } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';
import { branch } from './branch.ts';
import { collect } from './collect.ts';
import { hangup } from './hangup.ts';
import { hours } from './hours.ts';
import { language } from './language.ts';
import { lookupCustomer } from './lookup-customer.ts';
import { menu } from './menu.ts';
import { play } from './play.ts';
import { query } from './query.ts';
import { queue } from './queue.ts';
import { replayRecordings } from './replay-recordings.ts';
import { returnNode } from './return.ts';
import { saveData } from './save-data.ts';
import { say } from './say.ts';
import { set } from './set.ts';
import { staffLogin } from './staff-login.ts';
import { transfer } from './transfer.ts';
import { voicemail } from './voicemail.ts';
import { webhook } from './webhook.ts';

type Steps = { [K in NodeKind]: NodeStep<Extract<FlowNode, { type: K }>> };

const STEPS: Steps = { play, say, menu, collect, set, branch, hours, lookupCustomer, query, saveData, language, queue, transfer, voicemail, return: returnNode, webhook, staffLogin, replayRecordings, hangup };

export function stepOf(node: FlowNode): NodeStep {
  return STEPS[node.type] as NodeStep;
}
