/**
 * Writes docs/ivr-flow.schema.json from flow-schema.ts: `npx tsx src/ivr/flow/write-schema.ts`.
 * test/unit/ivr-flow-schema.test.ts fails when the published file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flowSchemaText } from './flow-schema.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../../../docs/ivr-flow.schema.json', import.meta.url));

writeFileSync(SCHEMA_FILE, flowSchemaText());
process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
