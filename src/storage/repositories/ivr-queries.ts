/**
 * Named IVR queries: a flow names a query and passes parameters, never SQL. Each query is one
 * entry of `IVR_QUERIES`: its parameters (each a string checked against a pattern), the fields of
 * its result, and `run`. Results are flat records of strings, numbers and null, or null when
 * nothing matches. Read-only: a query gets the repositories' read methods, nothing that writes.
 *
 * Adding a query: one entry below. The flow loader can check a flow's query names and parameters
 * offline with `describeIvrQuery` (null for an unknown name).
 */
import type { CustomersRepository, Customer } from './customers.ts';

export type IvrValue = string | number | null;
export type IvrRecord = Record<string, IvrValue>;

export interface IvrParamSpec {
  /** Anchored pattern the value must match. */
  pattern: RegExp;
  /** For messages: what the value is, e.g. "a phone number (digits, optional leading +)". */
  what: string;
}

/** What a query may read: read methods only. */
export interface IvrQuerySources {
  customers: Pick<CustomersRepository, 'findByPhone' | 'findByNumber' | 'checkPin'>;
}

export interface IvrQueryDef {
  description: string;
  params: Record<string, IvrParamSpec>;
  /** The result's fields, in order. */
  fields: readonly string[];
  run(src: IvrQuerySources, params: Record<string, string>): IvrRecord | null;
}

/** Stable codes: `UNKNOWN_QUERY` (no query of that name), `BAD_PARAMS` (missing, unknown or
 * ill-formed parameters). */
export type IvrQueryErrorCode = 'UNKNOWN_QUERY' | 'BAD_PARAMS';

export class IvrQueryError extends Error {
  constructor(
    readonly code: IvrQueryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IvrQueryError';
  }
}

const PHONE: IvrParamSpec = { pattern: /^\+?[0-9]{2,32}$/, what: 'a phone number (2 to 32 digits, optional leading +)' };
const CUSTOMER_NUMBER: IvrParamSpec = { pattern: /^[0-9]{1,32}$/, what: 'a customer number (1 to 32 digits)' };

const PIN: IvrParamSpec = { pattern: /^[0-9]{1,12}$/, what: 'a PIN (1 to 12 digits)' };

const CUSTOMER_FIELDS = ['customerNumber', 'name', 'vipLevel', 'language', 'balance', 'preferredAgent'] as const;

/** A customer as the IVR sees it: no internal id, no notes; the balance a decimal string. */
function customerRecord(c: Customer | null): IvrRecord | null {
  if (!c) return null;
  return { customerNumber: c.customerNumber, name: c.name, vipLevel: c.vipLevel, language: c.language, balance: c.balance, preferredAgent: c.preferredAgent };
}

export const IVR_QUERIES = {
  customerByPhone: {
    description: 'The customer whose phone number is `phone` (e.g. the caller), or null.',
    params: { phone: PHONE },
    fields: CUSTOMER_FIELDS,
    run: (src, p) => customerRecord(src.customers.findByPhone(p.phone!)),
  },
  customerByNumber: {
    description: 'The customer whose customer number is `customerNumber` (keyed by the caller), or null.',
    params: { customerNumber: CUSTOMER_NUMBER },
    fields: CUSTOMER_FIELDS,
    run: (src, p) => customerRecord(src.customers.findByNumber(p.customerNumber!)),
  },
  verifyPin: {
    description: 'The customer whose phone number is `phone`, when `pin` is their telephone PIN; null when it is not (or no PIN is set). The PIN is compared, never returned.',
    params: { phone: PHONE, pin: PIN },
    fields: CUSTOMER_FIELDS,
    run: (src, p) => customerRecord(src.customers.checkPin(p.phone!, p.pin!)),
  },
} satisfies Record<string, IvrQueryDef>;

export type IvrQueryName = keyof typeof IVR_QUERIES;
export const IVR_QUERY_NAMES = Object.keys(IVR_QUERIES) as IvrQueryName[];

const registry: Record<string, IvrQueryDef> = IVR_QUERIES;

/** A query's parameters and result fields (for flow validation); null for an unknown name. */
export function describeIvrQuery(name: string): { params: string[]; fields: string[]; description: string } | null {
  const q = Object.hasOwn(registry, name) ? registry[name]! : null;
  return q ? { params: Object.keys(q.params), fields: [...q.fields], description: q.description } : null;
}

/** Checks `params` against the query's parameters; throws IvrQueryError. Returns them as strings. */
export function checkIvrQuery(name: string, params: Record<string, unknown>): { def: IvrQueryDef; params: Record<string, string> } {
  const def = Object.hasOwn(registry, name) ? registry[name]! : null;
  if (!def) throw new IvrQueryError('UNKNOWN_QUERY', `unknown IVR query ${JSON.stringify(name)} (known: ${IVR_QUERY_NAMES.join(', ')})`);
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const k of Object.keys(params)) if (!Object.hasOwn(def.params, k)) problems.push(`${k} is not a parameter of ${name}`);
  for (const [k, spec] of Object.entries(def.params)) {
    const v = params[k];
    if (v === undefined || v === null) problems.push(`${k} is required`);
    else if (typeof v !== 'string' && typeof v !== 'number') problems.push(`${k} must be ${spec.what}`);
    else if (!spec.pattern.test(String(v))) problems.push(`${k} ${JSON.stringify(String(v))} is not ${spec.what}`);
    else out[k] = String(v);
  }
  if (problems.length) throw new IvrQueryError('BAD_PARAMS', `${name}: ${problems.join('; ')}`);
  return { def, params: out };
}

/** What the IVR engine calls: synchronous (one indexed read), throws IvrQueryError on an unknown
 * name or bad parameters. */
export interface IvrQueries {
  run(name: string, params: Record<string, unknown>): IvrRecord | null;
}

export function ivrQueries(src: IvrQuerySources): IvrQueries {
  return {
    run(name, params) {
      const c = checkIvrQuery(name, params);
      return c.def.run(src, c.params);
    },
  };
}
