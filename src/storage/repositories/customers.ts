/**
 * Customers known by phone number: VIP level and preferred agent feed customer-based routing;
 * `findByPhone` runs once per inbound call (a unique-index hit).
 */
import { asc, count, eq, or, sql, type SQL } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import { badRequest } from '../../core/errors.ts';
import { customers } from '../schema.ts';
import { mapConstraints } from './constraint-errors.ts';
import type { RepoContext } from './context.ts';
import { agentUserId } from './lookups.ts';

export interface Customer {
  id: number;
  name: string;
  phone: string;
  vipLevel: number;
  /** Username of an agent. */
  preferredAgent: string | null;
  notes: string | null;
  createdAt: number;
  updatedAt: number;
}

export type NewCustomer = Pick<Customer, 'name' | 'phone'> & Partial<Pick<Customer, 'vipLevel' | 'preferredAgent' | 'notes'>>;
export type CustomerPatch = Partial<Pick<Customer, 'name' | 'phone' | 'vipLevel' | 'preferredAgent' | 'notes'>>;

export interface CustomerQuery {
  /** Substring of the name or the phone number. */
  search?: string;
  limit?: number;
  offset?: number;
}

export class CustomersRepository {
  /** Prepared once: it runs for every inbound call. */
  private readonly byPhone;

  constructor(private readonly ctx: RepoContext) {
    this.byPhone = ctx.db.select().from(customers).where(eq(customers.phone, sql.placeholder('phone'))).prepare();
  }

  findByPhone(phone: string): Customer | null {
    return this.byPhone.get({ phone }) ?? null;
  }

  findById(id: number): Customer | null {
    return this.ctx.db.select().from(customers).where(eq(customers.id, id)).get() ?? null;
  }

  list(q: CustomerQuery = {}): { items: Customer[]; total: number } {
    const where = q.search ? or(contains(customers.name, q.search), contains(customers.phone, q.search)) : undefined;
    const items = this.ctx.db
      .select()
      .from(customers)
      .where(where)
      .orderBy(asc(customers.name), asc(customers.id))
      .limit(q.limit ?? 100)
      .offset(q.offset ?? 0)
      .all();
    const total = this.ctx.db.select({ n: count() }).from(customers).where(where).get()?.n ?? 0;
    return { items, total };
  }

  /** CONFLICT when the phone is taken; BAD_REQUEST when the preferred agent is not an agent. */
  create(input: NewCustomer): Customer {
    this.checkAgent(input.preferredAgent);
    const now = this.ctx.clock.now();
    return mapConstraints(() => this.ctx.db.insert(customers).values({ ...input, createdAt: now, updatedAt: now }).returning().get(), {
      unique: `a customer with phone ${input.phone} exists`,
    });
  }

  update(id: number, patch: CustomerPatch): Customer | null {
    this.checkAgent(patch.preferredAgent);
    return mapConstraints(
      () =>
        this.ctx.db
          .update(customers)
          .set({ ...patch, updatedAt: this.ctx.clock.now() })
          .where(eq(customers.id, id))
          .returning()
          .get() ?? null,
      { unique: `a customer with phone ${patch.phone ?? ''} exists` },
    );
  }

  delete(id: number): boolean {
    return this.ctx.db.delete(customers).where(eq(customers.id, id)).run().changes > 0;
  }

  private checkAgent(username: string | null | undefined): void {
    if (username && agentUserId(this.ctx.db, username) === null) throw badRequest(`unknown agent: ${username}`, { unknownAgents: [username] });
  }
}

/** `column LIKE '%text%'` with LIKE's wildcards in `text` taken literally. */
function contains(column: AnySQLiteColumn, text: string): SQL {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql`${column} like ${pattern} escape '\\'`;
}
