/**
 * How the HTTP routes answer failures: `{error: {code, message, details?}}` with the API's stable
 * codes (core/errors.ts) and their HTTP status. One error handler and one not-found handler,
 * installed inside each route plugin so that they apply to our routes only. Unexpected errors are
 * logged and answered INTERNAL without their message.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, HTTP_STATUS, type ErrorCode } from '../core/errors.ts';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export function sendError(reply: FastifyReply, code: ErrorCode, message: string, details?: Record<string, unknown>): FastifyReply {
  const body: ErrorBody = { error: details ? { code, message, details } : { code, message } };
  return reply.status(HTTP_STATUS[code]).send(body);
}

export function errorHandler(err: FastifyError | AppError | Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof AppError) {
    if (err.code === 'UNAUTHENTICATED') void reply.header('www-authenticate', 'Bearer');
    return sendError(reply, err.code, err.message, err.details);
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    const validation = fe.validation.map((v) => ({ path: v.instancePath, message: isUnknownField(v) ? 'is not a known field' : v.message }));
    return sendError(reply, 'BAD_REQUEST', validationMessage(fe), { validation });
  }
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) return sendError(reply, codeForStatus(status), fe.message);
  req.log.error({ err }, 'request failed');
  return sendError(reply, 'INTERNAL', 'internal error');
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
}

/** "body/x is not a known field" for our closed objects; ajv's own text otherwise. */
function validationMessage(err: FastifyError): string {
  const first = err.validation?.[0];
  if (first && isUnknownField(first)) {
    return `${err.validationContext ?? 'body'}${first.instancePath} is not a known field`;
  }
  return err.message;
}

/** The failure our closed objects' `additionalProperties: {not: {}}` produces (schemas.ts). */
function isUnknownField(v: { keyword: string; schemaPath: string }): boolean {
  return v.keyword === 'not' && v.schemaPath.endsWith('/additionalProperties/not');
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'TOO_LARGE';
    case 429:
      return 'RATE_LIMITED';
    default:
      return 'BAD_REQUEST';
  }
}
