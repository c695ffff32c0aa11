/**
 * A flow's queue nodes with skills of their own, as ACD business services: the router indexes a
 * call's eligible agents by service, so a flow's skill requirements are known to it before any call
 * arrives (one service per node, `ivr:<flow>/<node>`), not worked out per call. Kept in step with
 * the flows served: built again at every reload. A queue node whose queue is a template cannot be
 * a service (the queue is known only per call): its skills are not applied, and it is said so.
 */
import type { FlowDefinition } from './types.ts';

export interface FlowService {
  dialled: string;
  queue: string;
  requiredSkills: { skill: string; minLevel: number }[];
}

export function serviceOf(flowId: string, nodeId: string): string {
  return `ivr:${flowId}/${nodeId}`;
}

export function flowServices(flows: Iterable<FlowDefinition>): { services: FlowService[]; warnings: string[] } {
  const services: FlowService[] = [];
  const warnings: string[] = [];
  for (const def of flows) {
    for (const [nodeId, node] of Object.entries(def.nodes)) {
      if (node.type !== 'queue' || !node.skills) continue;
      if (node.queue.includes('${')) {
        warnings.push(`flow ${def.id}, node ${nodeId}: skills of a queue node whose queue is a template are not applied`);
        continue;
      }
      services.push({ dialled: serviceOf(def.id, nodeId), queue: node.queue, requiredSkills: node.skills.map((s) => ({ skill: s.skill, minLevel: s.minLevel })) });
    }
  }
  return { services, warnings };
}
