/** The published schema is the generated one; the demo flows pass every check. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkFolder, flowSchemaText, formatProblem } from '../../src/ivr/flow/index.ts';

describe('flow schema and demo flows', () => {
  it('docs/ivr-flow.schema.json is the schema flow-schema.ts builds (else: npx tsx src/ivr/flow/write-schema.ts)', () => {
    expect(readFileSync('docs/ivr-flow.schema.json', 'utf8')).toBe(flowSchemaText());
  });

  it('the demo flows (flows/) load with no error and no warning', async () => {
    const { flows, problems } = await checkFolder('flows');
    expect(problems.map((p) => formatProblem(p))).toEqual([]);
    expect(flows.map((f) => [f.id, f.status, f.version])).toEqual([
      ['main', 'ok', 1],
      ['replay', 'ok', 1],
      ['verify', 'ok', 1],
      ['voicemail', 'ok', 1],
    ]);
  });

  it('every demo flow file names the schema for editors', () => {
    for (const f of ['main', 'verify', 'voicemail']) {
      expect(readFileSync(`flows/${f}.yaml`, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../docs/ivr-flow.schema.json');
    }
  });
});
