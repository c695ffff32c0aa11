/**
 * /customers: callers known by phone number, with VIP level and preferred agent (customer-based
 * routing). GET /customers pages with `limit`/`offset`, filters with `search` (name or number
 * substring) or `phone` (exact).
 */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';
import type { CustomerPatch, NewCustomer } from '../../storage/repositories/customers.ts';
import type { AdminContext } from './admin-context.ts';
import { closed, idParam, int, label, nullable, number, patchOf, str, text, username } from './schemas.ts';

type IdParams = { id: number };
interface ListQuery {
  search?: string;
  phone?: string;
  limit?: number;
  offset?: number;
}

const fields = { name: label, phone: number, vipLevel: int(0, 100), preferredAgent: nullable(username), notes: nullable(text) };

export function customerRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { repos } = ctx;

  app.get<{ Querystring: ListQuery }>(
    '/customers',
    { schema: { querystring: closed({ search: str(1, 128), phone: number, limit: int(1, 1000), offset: int(0, Number.MAX_SAFE_INTEGER) }) } },
    async (req) => {
      const q = req.query;
      if (q.phone !== undefined) {
        const c = repos.customers.findByPhone(q.phone);
        return { items: c ? [c] : [], total: c ? 1 : 0 };
      }
      return repos.customers.list({ ...(q.search ? { search: q.search } : {}), limit: q.limit ?? 100, offset: q.offset ?? 0 });
    },
  );

  app.get<{ Params: IdParams }>('/customers/:id', { schema: { params: idParam } }, async (req) => repos.customers.findById(req.params.id) ?? notFoundCustomer(req.params.id));

  app.post<{ Body: NewCustomer }>('/customers', { schema: { body: closed(fields, ['name', 'phone']) } }, async (req, reply) => {
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
