/**
 * Tickets for the event stream. A browser's `EventSource` cannot send an `Authorization`
 * header, and a long-lived token in a URL ends up in logs and history; so the dashboard first
 * asks for a ticket (`POST /api/v1/events/tickets`, with its bearer token) and opens
 * `/api/v1/events?ticket=…`. A ticket is good for that one route, once, for a minute.
 *
 * Tickets are signed, not stored: the key is derived from the configured tokens, so every
 * server of a cluster with the same tokens accepts a ticket another one issued, and changing
 * the tokens voids them all. Each server remembers the tickets it accepted until they expire,
 * so a ticket is used at most once per server.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { ROLES, UnauthorizedError, type Role, type TokenEntry } from './auth.js';
import { EVENTS_TICKET_TTL_MS } from './constants.js';

const VERSION = 'v1';

/** Issues and redeems tickets of the event stream. */
export class EventTickets {
  private readonly key: Buffer;
  /** Nonces accepted here, with their expiry: a ticket is redeemed once. */
  private readonly used = new Map<string, number>();

  constructor(
    tokens: TokenEntry[],
    private readonly clock: Clock,
  ) {
    const material = tokens.map((t) => `${t.role}:${t.token}`).sort();
    this.key = createHash('sha256')
      .update(['gantry events ticket', ...material].join('\n'))
      .digest();
  }

  /** A ticket for a caller of role `role`, and when it expires. */
  issue(role: Role): { ticket: string; expiresAt: Date } {
    const expires = this.clock.now() + EVENTS_TICKET_TTL_MS;
    const body = `${VERSION}.${role}.${expires}.${randomBytes(16).toString('base64url')}`;
    return { ticket: `${body}.${this.sign(body)}`, expiresAt: new Date(expires) };
  }

  /** The role a ticket was issued to; `UnauthorizedError` when it is forged, expired or used. */
  redeem(ticket: string): Role {
    const parts = ticket.split('.');
    const [version, role, expires, nonce, mac] = parts;
    const body = parts.slice(0, 4).join('.');
    const expected = this.sign(body);
    const given = Buffer.from(mac ?? '', 'utf8');
    if (
      parts.length !== 5 ||
      version !== VERSION ||
      !(ROLES as readonly string[]).includes(role!) ||
      given.length !== expected.length ||
      !timingSafeEqual(given, Buffer.from(expected, 'utf8'))
    ) {
      throw new UnauthorizedError('the ticket is not valid; ask for a new one with POST /api/v1/events/tickets');
    }
    const now = this.clock.now();
    this.forget(now);
    if (Number(expires) <= now || this.used.has(nonce!)) {
      throw new UnauthorizedError(
        'the ticket has expired or was used already; ask for a new one with POST /api/v1/events/tickets',
      );
    }
    this.used.set(nonce!, Number(expires));
    return role as Role;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  /** Drops the nonces of expired tickets (an expired ticket is refused anyway). */
  private forget(now: number): void {
    for (const [nonce, expires] of this.used) if (expires <= now) this.used.delete(nonce);
  }
}
