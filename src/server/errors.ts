/**
 * One error shape for every answer that is not a success: `{ error: { code, message } }` with
 * the status `httpStatus()` gives for the code. Fastify's own errors (bad JSON, schema
 * mismatch, body too large) are translated to the same shape.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GantryError, type ErrorCode } from '../core/errors.js';
import { MAX_NAME_LENGTH } from '../core/constants.js';
import { DEFAULT_RETRY_AFTER_S, MAX_PARAM_LENGTH } from './constants.js';

/** The HTTP status of an error code. */
export function httpStatus(code: ErrorCode | string): number {
  switch (code) {
    case 'VALIDATION':
    case 'AMBIGUOUS_ID':
    case 'SCHEDULE_PARSE':
    case 'UNSUPPORTED_URL':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'INVALID_TRANSITION':
    case 'UNIQUE_CONFLICT':
    case 'LEASE_LOST':
    case 'QUEUE_NOT_EMPTY':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'QUEUE_FULL':
      return 429;
    case 'ENGINE_UNAVAILABLE':
    case 'MIGRATION':
      return 503;
    default:
      return 500;
  }
}

/** True when `err` says the engine cannot be reached (or its schema is not current): a 503. */
export function isUnreachable(err: unknown): boolean {
  return err instanceof GantryError && (err.code === 'ENGINE_UNAVAILABLE' || err.code === 'MIGRATION');
}

/** The JSON body of an error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

interface Translated {
  status: number;
  body: ErrorBody;
}

const body = (code: string, message: string, details?: Record<string, unknown>): ErrorBody => ({
  error: details ? { code, message, details } : { code, message },
});

/** Describes a schema validation failure so the caller knows which field to fix. */
function validationMessage(err: FastifyError): string {
  const first = err.validation?.[0];
  const where = err.validationContext ?? 'request';
  if (!first) return err.message;
  const path = `${where}${first.instancePath.replace(/\//g, '.')}`;
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'additionalProperties') {
    return `${path} has unknown field ${JSON.stringify(params.additionalProperty)}; see /openapi.json for the fields allowed`;
  }
  return `${path} ${first.message ?? 'is not valid'}`;
}

/** Maps any thrown value to a status and error body. */
export function translateError(err: unknown): Translated {
  if (err instanceof GantryError) {
    return { status: httpStatus(err.code), body: body(err.code, err.message, err.details) };
  }
  const fe = err as FastifyError;
  if (fe.validation) return { status: 400, body: body('VALIDATION', validationMessage(fe)) };
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: body('PAYLOAD_TOO_LARGE', 'the request body is over the server limit; send smaller batches'),
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: body('UNSUPPORTED_MEDIA_TYPE', 'send JSON with "Content-Type: application/json"') };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: body('VALIDATION', 'the body is empty; send a JSON object or no Content-Type') };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        status: 414,
        body: body(
          'URI_TOO_LONG',
          `a path segment is over ${MAX_PARAM_LENGTH} characters; ids and names are at most ${MAX_NAME_LENGTH}`,
        ),
      };
    case 'FST_ERR_BAD_URL':
      return {
        status: 400,
        body: body(
          'VALIDATION',
          'the path is not a valid URL (bad percent-encoding); encode it with encodeURIComponent',
        ),
      };
  }
  if (err instanceof SyntaxError) {
    return { status: 400, body: body('VALIDATION', `the body is not valid JSON: ${fe.message}`) };
  }
  if (fe.statusCode === 400) return { status: 400, body: body('VALIDATION', fe.message) };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: body(fe.code ?? 'BAD_REQUEST', fe.message) };
  }
  return {
    status: 500,
    body: body('INTERNAL', 'internal error; the server log has the details (search its request id)'),
  };
}

/** Sends an error answer, with `Retry-After` where waiting helps. */
export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body: b } = translateError(err);
  if (status === 429 || status === 503) void reply.header('retry-after', String(DEFAULT_RETRY_AFTER_S));
  return reply.code(status).type('application/json; charset=utf-8').send(b);
}

/** Installs the error handler: logs server faults, answers everything in the one shape. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status } = translateError(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: (err as { code?: string }).code, status }, 'request refused');
    return sendError(reply, err);
  });
}
