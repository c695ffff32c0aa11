/**
 * Customers known by phone number: VIP level and preferred agent feed customer-based routing;
 * `findByPhone` runs once per inbound call (a unique-index hit). Contract v2: a customer number
 * (what a caller keys in the IVR; `findByNumber`), a balance kept exactly in integer cents and
 * shown as a decimal string ("1005.30"), a language; the phone is optional.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { asc, count, eq, or, sql, type SQL } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import { badRequest } from '../../core/errors.ts';
import { customers, type CustomerLanguage } from '../schema.ts';
import { mapConstraints } from './constraint-errors.ts';
import type { RepoContext } from './context.ts';
import { agentUserId } from './lookups.ts';

export interface Customer {
  id: number;
  customerNumber: string | null;
  name: string;
  /** Null: no phone number on file. */
  phone: string | null;
  vipLevel: number;
  /** Username of an agent. */
  preferredAgent: string | null;
  /** Decimal string with two places, e.g. "1005.30", "-3.50" (stored as integer cents). */
  balance: string;
  language: CustomerLanguage | null;
  notes: string | null;
  /** A telephone PIN is set (the PIN itself is never read back). */
  hasPin: boolean;
  createdAt: number;
  updatedAt: number;
}

type Editable = 'customerNumber' | 'phone' | 'vipLevel' | 'preferredAgent' | 'balance' | 'language' | 'notes';
/** `pin`: write-only, 4–12 digits, or null to remove it. */
export type NewCustomer = Pick<Customer, 'name'> & Partial<Pick<Customer, Editable>> & { pin?: string | null };
export type CustomerPatch = Partial<Pick<Customer, 'name' | Editable>> & { pin?: string | null };

export const PIN_PATTERN = '^[0-9]{4,12}$';

/** A PIN as stored: `s1:<salt>:<sha256(salt ‖ pin)>`. A telephone PIN has few digits, so no hash
 * keeps it from a thief of the database for long; what protects it is that it never appears as
 * keyed, and that the IVR allows three tries per call. */
export function pinHashOf(pin: string, salt = randomBytes(16)): string {
  if (!new RegExp(PIN_PATTERN).test(pin)) throw badRequest('a PIN is 4 to 12 digits');
  return `s1:${salt.toString('hex')}:${createHash('sha256').update(salt).update(pin).digest('hex')}`;
}

export function pinMatches(stored: string | null, pin: string): boolean {
  const m = stored ? /^s1:([0-9a-f]{32}):([0-9a-f]{64})$/.exec(stored) : null;
  if (!m) return false;
  const want = Buffer.from(m[2]!, 'hex');
  const got = createHash('sha256').update(Buffer.from(m[1]!, 'hex')).update(pin).digest();
  return timingSafeEqual(want, got);
}

/** A decimal amount with at most two places: "1005.30", "0.5", "-3", "20000". */
export const BALANCE_PATTERN = '^-?(0|[1-9][0-9]{0,12})(\\.[0-9]{1,2})?$';
const BALANCE_RE = new RegExp(BALANCE_PATTERN);

/** "1005.30" → 100530. BAD_REQUEST for anything but a decimal with at most two places. */
export function centsOf(balance: string): number {
  if (!BALANCE_RE.test(balance)) throw badRequest(`balance ${JSON.stringify(balance)} is not a decimal amount with at most two places`);
  const neg = balance.startsWith('-');
  const [whole, frac = ''] = (neg ? balance.slice(1) : balance).split('.');
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return neg ? -cents : cents;
}

/** 100530 → "1005.30"; -350 → "-3.50". */
export function balanceOf(cents: number): string {
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

type CustomerRow = typeof customers.$inferSelect;

function toCustomer(r: CustomerRow): Customer {
  return {
    id: r.id,
    customerNumber: r.customerNumber,
    name: r.name,
    phone: r.phone,
    vipLevel: r.vipLevel,
    preferredAgent: r.preferredAgent,
    balance: balanceOf(r.balanceCents),
    language: r.language ?? null,
    notes: r.notes,
    hasPin: r.pinHash !== null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** The columns of a create or patch: `balance` becomes cents, undefined fields are left out. */
function columnsOf(input: CustomerPatch): Partial<typeof customers.$inferInsert> {
  const { balance, pin, ...rest } = input;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = v;
  if (balance !== undefined) out.balanceCents = centsOf(balance);
  if (pin !== undefined) out.pinHash = pin === null ? null : pinHashOf(pin);
  return out as Partial<typeof customers.$inferInsert>;
}

export interface CustomerQuery {
  /** Substring of the name or the phone number. */
  search?: string;
  limit?: number;
  offset?: number;
}

export class CustomersRepository {
  /** Prepared once: it runs for every inbound call. */
  private readonly byPhone;
  /** Prepared once: the IVR looks customers up by the number a caller keys. */
  private readonly byNumber;

  constructor(private readonly ctx: RepoContext) {
    this.byPhone = ctx.db.select().from(customers).where(eq(customers.phone, sql.placeholder('phone'))).prepare();
    this.byNumber = ctx.db.select().from(customers).where(eq(customers.customerNumber, sql.placeholder('customerNumber'))).prepare();
  }

  findByPhone(phone: string): Customer | null {
    const r = this.byPhone.get({ phone });
    return r ? toCustomer(r) : null;
  }

  findByNumber(customerNumber: string): Customer | null {
    const r = this.byNumber.get({ customerNumber });
    return r ? toCustomer(r) : null;
  }

  /** The customer whose phone is `phone`, when `pin` is their PIN; null otherwise (no such
   * customer, no PIN set, a wrong PIN). */
  checkPin(phone: string, pin: string): Customer | null {
    const r = this.byPhone.get({ phone });
    return r && pinMatches(r.pinHash, pin) ? toCustomer(r) : null;
  }

  findById(id: number): Customer | null {
    const r = this.ctx.db.select().from(customers).where(eq(customers.id, id)).get();
    return r ? toCustomer(r) : null;
  }

  list(q: CustomerQuery = {}): { items: Customer[]; total: number } {
    const where = q.search ? or(contains(customers.name, q.search), contains(customers.phone, q.search), contains(customers.customerNumber, q.search)) : undefined;
    const items = this.ctx.db
      .select()
      .from(customers)
      .where(where)
      .orderBy(asc(customers.name), asc(customers.id))
      .limit(q.limit ?? 100)
      .offset(q.offset ?? 0)
      .all()
      .map(toCustomer);
    const total = this.ctx.db.select({ n: count() }).from(customers).where(where).get()?.n ?? 0;
    return { items, total };
  }

  /** CONFLICT when the phone or the customer number is taken; BAD_REQUEST when the preferred
   * agent is not an agent or the balance is not a decimal amount. */
  create(input: NewCustomer): Customer {
    this.checkAgent(input.preferredAgent);
    const now = this.ctx.clock.now();
    const values = { ...columnsOf(input), name: input.name, createdAt: now, updatedAt: now };
    return toCustomer(mapConstraints(() => this.ctx.db.insert(customers).values(values).returning().get(), { unique: uniqueMessage(input) }));
  }

  update(id: number, patch: CustomerPatch): Customer | null {
    this.checkAgent(patch.preferredAgent);
    const set = { ...columnsOf(patch), updatedAt: this.ctx.clock.now() };
    const r = mapConstraints(() => this.ctx.db.update(customers).set(set).where(eq(customers.id, id)).returning().get() ?? null, { unique: uniqueMessage(patch) });
    return r ? toCustomer(r) : null;
  }

  delete(id: number): boolean {
    return this.ctx.db.delete(customers).where(eq(customers.id, id)).run().changes > 0;
  }

  private checkAgent(username: string | null | undefined): void {
    if (username && agentUserId(this.ctx.db, username) === null) throw badRequest(`unknown agent: ${username}`, { unknownAgents: [username] });
  }
}

function uniqueMessage(c: CustomerPatch): string {
  const taken = [c.phone ? `phone ${c.phone}` : null, c.customerNumber ? `customer number ${c.customerNumber}` : null].filter(Boolean);
  return `a customer with ${taken.join(' or ') || 'these values'} exists`;
}

/** `column LIKE '%text%'` with LIKE's wildcards in `text` taken literally. */
function contains(column: AnySQLiteColumn, text: string): SQL {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql`${column} like ${pattern} escape '\\'`;
}
