/**
 * `Expect: 100-continue`: a client that asks before sending its body is told at once when the
 * body would be over the limit. Node answers `100 Continue` by itself otherwise, and the server
 * then refuses the body it asked for, closing the connection while the client still sends: the
 * client sees a broken pipe, not the 413.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { translateError } from './errors.js';

/** Answers `Expect: 100-continue` with a 413 in the API's error shape when `content-length` is over `bodyLimit`. */
export function installExpectContinue(app: FastifyInstance, bodyLimit: number): void {
  app.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > bodyLimit) {
      const { status, body } = translateError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
        'x-request-id': String(req.headers['x-request-id'] ?? randomUUID()),
        connection: 'close',
      });
      res.end(text);
      return;
    }
    res.writeContinue();
    app.server.emit('request', req, res);
  });
}
