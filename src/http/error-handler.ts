/**
 * One error shape for every HTTP route: `{error: {code, message}}` with the API's stable codes.
 * Schema violations become BAD_REQUEST; anything unexpected is INTERNAL (and logged).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, HTTP_STATUS } from '../core/errors.ts';

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      return reply.status(HTTP_STATUS[err.code]).send({ error: { code: err.code, message: err.message } });
    }
    const fe = err as FastifyError;
    if (fe.validation) return reply.status(400).send({ error: { code: 'BAD_REQUEST', message: fe.message } });
    if (fe.statusCode === 413) return reply.status(413).send({ error: { code: 'TOO_LARGE', message: fe.message } });
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ error: { code: 'BAD_REQUEST', message: fe.message } });
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` } }));
}
