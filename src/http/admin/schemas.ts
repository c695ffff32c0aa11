/**
 * JSON Schema building blocks for the admin and auth routes. Request objects are closed: an
 * unknown field is a 400, not silently dropped. Fastify's Ajv runs with `removeAdditional: true`,
 * which would quietly delete fields under `additionalProperties: false`; `{not: {}}` (nothing
 * matches) makes Ajv reject them instead. Types are coerced as fastify does ("5" → 5).
 */
import { PILOT_KINDS, QUEUE_STRATEGIES, ROLES } from '../../storage/schema.ts';

type Schema = Record<string, unknown>;

export const REJECT_UNKNOWN = { not: {} } as const;

/** An object with exactly these properties (the listed ones required). */
export function closed(properties: Record<string, Schema>, required: string[] = [], extra: Schema = {}): Schema {
  return { type: 'object', properties, required, additionalProperties: REJECT_UNKNOWN, ...extra };
}

/** A patch: the same properties, none required, at least one present. */
export function patchOf(properties: Record<string, Schema>): Schema {
  return closed(properties, [], { minProperties: 1 });
}

export const nullable = (s: Schema): Schema => ({ ...s, type: [s.type as string, 'null'] });

export const str = (min: number, max: number, pattern?: string): Schema => ({ type: 'string', minLength: min, maxLength: max, ...(pattern ? { pattern } : {}) });
export const int = (min: number, max: number): Schema => ({ type: 'integer', minimum: min, maximum: max });

export const username = str(1, 64, '^[A-Za-z0-9._-]+$');
export const displayName = str(1, 128);
export const password = str(8, 1024);
export const role = { type: 'string', enum: [...ROLES] };
export const roles = { type: 'array', items: role, maxItems: ROLES.length, uniqueItems: true };
export const skillName = str(1, 64, '^[A-Za-z0-9._-]+$');
export const level = int(1, 5);
export const queueId = str(1, 64, '^[a-z0-9][a-z0-9_-]*$');
export const strategy = { type: 'string', enum: [...QUEUE_STRATEGIES] };
export const pilotKind = { type: 'string', enum: [...PILOT_KINDS] };
/** Directory numbers: digits and the keypad's * # (and + for outside numbers). */
export const number = str(1, 32, '^[0-9*#+]+$');
export const label = str(1, 128);
export const text = str(0, 4000);

export const idParam = closed({ id: int(1, Number.MAX_SAFE_INTEGER) }, ['id']);
export const paramOf = (name: string, s: Schema): Schema => closed({ [name]: s }, [name]);
