/** Queue nodes with skills of their own become ACD business services (src/ivr/flow/acd-services.ts). */
import { expect, it } from 'vitest';
import { flowServices, serviceOf } from '../../src/ivr/flow/acd-services.ts';
import type { FlowDefinition } from '../../src/ivr/flow/types.ts';

const flow = (id: string, nodes: FlowDefinition['nodes']): FlowDefinition => ({ id, languages: ['en-US'], start: Object.keys(nodes)[0]!, prompts: {}, nodes });

it('one service per queue node with skills, named ivr:<flow>/<node>; a templated queue cannot be one and is said so', () => {
  const { services, warnings } = flowServices([
    flow('a', { q1: { type: 'queue', queue: 'sales', skills: [{ skill: 'sales', minLevel: 2 }] }, q2: { type: 'queue', queue: 'support' } }),
    flow('b', { q: { type: 'queue', queue: '${callData.queue}', skills: [{ skill: 'vip', minLevel: 1 }] } }),
  ]);
  expect(services).toEqual([{ dialled: 'ivr:a/q1', queue: 'sales', requiredSkills: [{ skill: 'sales', minLevel: 2 }] }]);
  expect(serviceOf('a', 'q1')).toBe('ivr:a/q1');
  expect(warnings).toEqual(['flow b, node q: skills of a queue node whose queue is a template are not applied']);
});
