/**
 * /customers: callers known by phone number, with VIP level and preferred agent (customer-based
 * routing), with (contract v2) a customer number, a balance and a language; the phone is
 * optional. GET /customers pages with `limit`/`offset`, filters with `search` (name, phone or
 * customer number substring), `phone` or `customerNumber` (exact).
 */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';
import { BALANCE_PATTERN, PIN_PATTERN, type CustomerPatch, type NewCustomer } from '../../storage/repositories/customers.ts';
import { CUSTOMER_LANGUAGES } from '../../storage/schema.ts';
import type { AdminContext } from './admin-context.ts';
import { closed, idParam, int, label, nullable, number, patchOf, str, text, username } from './schemas.ts';

type IdParams = { id: number };
interface ListQuery {
  search?: string;
  phone?: string;
  customerNumber?: string;
  limit?: number;
  offset?: number;
}

const fields = {
  name: label,
  customerNumber: nullable(str(1, 32, '^[0-9]+$')),
  phone: nullable(number),
  vipLevel: int(0, 100),
  preferredAgent: nullable(username),
  /** A decimal string ("1005.30"), kept exactly (integer cents). */
  balance: str(1, 17, BALANCE_PATTERN),
  language: { type: ['string', 'null'], enum: [...CUSTOMER_LANGUAGES, null] },
  notes: nullable(text),
  /** Write-only: the telephone PIN (4–12 digits) the IVR checks, or null to remove it. */
  pin: nullable(str(4, 12, PIN_PATTERN)),
};

export function customerRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { repos } = ctx;

  app.get<{ Querystring: ListQuery }>(
    '/customers',
    { schema: { querystring: closed({ search: str(1, 128), phone: number, customerNumber: str(1, 32, '^[0-9]+$'), limit: int(1, 1000), offset: int(0, Number.MAX_SAFE_INTEGER) }) } },
    async (req) => {
      const q = req.query;
      if (q.phone !== undefined) {
        const c = repos.customers.findByPhone(q.phone);
        return { items: c ? [c] : [], total: c ? 1 : 0 };
      }
      if (q.customerNumber !== undefined) {
        const c = repos.customers.findByNumber(q.customerNumber);
        return { items: c ? [c] : [], total: c ? 1 : 0 };
      }
      return repos.customers.list({ ...(q.search ? { search: q.search } : {}), limit: q.limit ?? 100, offset: q.offset ?? 0 });
    },
  );

  app.get<{ Params: IdParams }>('/customers/:id', { schema: { params: idParam } }, async (req) => repos.customers.findById(req.params.id) ?? notFoundCustomer(req.params.id));

  app.post<{ Body: NewCustomer }>('/customers', { schema: { body: closed(fields, ['name']) } }, async (req, reply) => {
    const customer = await ctx.mutate(req, 'customer', 'create', () => {
      const c = repos.customers.create(req.body);
      return { result: c, audit: { action: 'customer.create', target: String(c.id), details: req.body } };
    });
    return reply.status(201).send(customer);
  });

  app.patch<{ Params: IdParams; Body: CustomerPatch }>('/customers/:id', { schema: { params: idParam, body: patchOf(fields) } }, async (req) =>
    ctx.mutate(req, 'customer', 'update', () => {
      const c = repos.customers.update(req.params.id, req.body) ?? notFoundCustomer(req.params.id);
      return { result: c, audit: { action: 'customer.update', target: String(c.id), details: req.body } };
    }),
  );

  app.delete<{ Params: IdParams }>('/customers/:id', { schema: { params: idParam } }, async (req, reply) => {
    await ctx.mutate(req, 'customer', 'delete', () => {
      if (!repos.customers.delete(req.params.id)) notFoundCustomer(req.params.id);
      return { result: null, audit: { action: 'customer.delete', target: String(req.params.id) } };
    });
    return reply.status(204).send();
  });
}

function notFoundCustomer(id: number): never {
  throw notFound(`no customer ${id}`);
}
