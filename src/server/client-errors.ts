/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers or a URL over Node's
 * 16 KiB header limit, malformed HTTP, a client too slow to send its request) are answered in
 * the API's `{error: {code, message}}` shape too, written on the socket as Node itself would.
 */
import http from 'node:http';
import type { Socket } from 'node:net';

/** The status, code and message of a parser refusal. */
function refusal(err: NodeJS.ErrnoException): { status: number; code: string; message: string } {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, code: 'REQUEST_TIMEOUT', message: 'the request did not arrive in time; send it again' };
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      code: 'HEADERS_TOO_LARGE',
      message:
        'the request line and headers are over 16 KiB; shorten the URL (put filters in fewer values) or the headers',
    };
  }
  return { status: 400, code: 'VALIDATION', message: 'the request is not valid HTTP/1.1' };
}

/** Fastify's `clientErrorHandler`: answers a request the parser refused, then closes the socket. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, message } = refusal(err);
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
