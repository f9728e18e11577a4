/**
 * Lets the server log through Gantry's small `Logger` (what the CLI makes) by giving it the
 * extra methods Fastify expects of a pino logger.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Logger } from '../worker/types.js';
import { redactHeaders, requestForLog } from './redact.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * What pino's serializers would keep of Fastify's request and reply objects (the raw ones
 * are circular and huge), without the secrets a URL or headers may carry.
 */
function serialize(fields: Record<string, unknown>): Record<string, unknown> {
  const out = { ...fields };
  const req = out.req as Parameters<typeof requestForLog>[0] | undefined;
  if (req && typeof req === 'object') out.req = requestForLog(req);
  if (out.headers && typeof out.headers === 'object')
    out.headers = redactHeaders(out.headers as Record<string, unknown>);
  const res = out.res as { statusCode?: number } | undefined;
  if (res && typeof res === 'object') out.res = { statusCode: res.statusCode };
  return out;
}

/** Wraps `log` as a Fastify logger; child bindings are merged into each record. */
export function adaptLogger(log: Logger, bindings: Record<string, unknown> = {}): FastifyBaseLogger {
  const at =
    (level: Level) =>
    (obj: unknown, msg?: string): void => {
      if (obj === null || typeof obj !== 'object') return log[level](serialize(bindings), msg ?? String(obj));
      log[level](serialize({ ...bindings, ...obj }), msg);
    };
  const logger = {
    level: 'info',
    debug: at('debug'),
    trace: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('error'),
    silent: () => undefined,
    child: (more: Record<string, unknown>) => adaptLogger(log, { ...bindings, ...more }),
  };
  return logger as unknown as FastifyBaseLogger;
}
