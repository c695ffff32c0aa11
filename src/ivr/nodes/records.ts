/** A request's record into `<into>.<field>` variables. */
import type { RequestValue } from '../engine/types.ts';

export function setRecord(vars: Map<string, string>, into: string, value: NonNullable<RequestValue>): void {
  for (const [k, v] of Object.entries(value)) vars.set(`${into}.${k}`, v === null ? '' : String(v));
}
