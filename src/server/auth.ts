/**
 * Bearer tokens with roles. Tokens come from `GANTRY_API_TOKENS` (`role:token,role:token`) or
 * a file (one `role:token` a line), never from a command line that `ps` shows. Presented
 * tokens are compared in constant time against every configured token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GantryError, ValidationError } from '../core/errors.js';

/** Roles, weakest first: `read` looks, `write` also enqueues and runs HTTP workers, `admin` does everything. */
export const ROLES = ['read', 'write', 'admin'] as const;

/** A role. */
export type Role = (typeof ROLES)[number];

/** One configured token. */
export interface TokenEntry {
  role: Role;
  token: string;
}

/** No token, or one the server does not know (401). */
export class UnauthorizedError extends GantryError {
  constructor(message = 'send a valid token as "Authorization: Bearer <token>"') {
    super('UNAUTHORIZED', message);
  }
}

/** The token is valid but its role may not do this (403). */
export class ForbiddenError extends GantryError {
  constructor(role: Role, needed: Role) {
    super('FORBIDDEN', `this token has role ${role}; this action needs ${needed} or better`, {
      details: { role, needed },
    });
  }
}

/**
 * Parses `role:token` entries separated by commas or newlines; blank lines and `#` comments are
 * skipped. Throws `ValidationError` naming the bad entry (without echoing the secret).
 */
export function parseTokens(text: string, source: string): TokenEntry[] {
  const out: TokenEntry[] = [];
  const entries = text.split(/[,\n]/);
  entries.forEach((raw, i) => {
    const entry = raw.trim();
    if (entry === '' || entry.startsWith('#')) return;
    const colon = entry.indexOf(':');
    const role = colon > 0 ? entry.slice(0, colon).trim() : '';
    const token = colon > 0 ? entry.slice(colon + 1).trim() : '';
    if (!(ROLES as readonly string[]).includes(role) || token === '') {
      throw new ValidationError(
        `${source}: entry ${i + 1} must be role:token with role one of ${ROLES.join(', ')} and a non-empty token`,
      );
    }
    out.push({ role: role as Role, token });
  });
  return out;
}

/**
 * Reads tokens from the options, `--tokens-file`, then `GANTRY_API_TOKENS`; every source found is
 * used. Returns an empty list when none is configured.
 */
export function loadTokens(options: {
  tokens?: TokenEntry[] | string;
  tokensFile?: string;
  env?: NodeJS.ProcessEnv;
}): TokenEntry[] {
  const out: TokenEntry[] = [];
  if (typeof options.tokens === 'string') out.push(...parseTokens(options.tokens, 'tokens'));
  else if (options.tokens) out.push(...options.tokens);
  if (options.tokensFile) {
    let text: string;
    try {
      text = readFileSync(options.tokensFile, 'utf8');
    } catch (cause) {
      throw new ValidationError(`cannot read tokens file ${options.tokensFile}: ${(cause as Error).message}`, {
        cause,
      });
    }
    out.push(...parseTokens(text, options.tokensFile));
  }
  const env = (options.env ?? process.env).GANTRY_API_TOKENS;
  if (env) out.push(...parseTokens(env, 'GANTRY_API_TOKENS'));
  return out;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Checks presented tokens and roles. */
export class Authenticator {
  private readonly entries: { role: Role; hash: Buffer }[];

  constructor(tokens: TokenEntry[]) {
    this.entries = tokens.map((t) => ({ role: t.role, hash: digest(t.token) }));
  }

  /** True when at least one token is configured (auth is on). */
  get enabled(): boolean {
    return this.entries.length > 0;
  }

  /**
   * The role of `token`, or `null`. Hashing first gives equal-length buffers for
   * `timingSafeEqual`, and every entry is compared so the time does not tell which one matched.
   */
  roleOf(token: string): Role | null {
    const h = digest(token);
    let found: Role | null = null;
    for (const e of this.entries) {
      if (timingSafeEqual(e.hash, h) && (found === null || rank(e.role) > rank(found))) found = e.role;
    }
    return found;
  }

  /**
   * Returns the caller's role, or throws `UnauthorizedError` / `ForbiddenError`. With auth off
   * every caller is `admin` (the server then listens on loopback only).
   */
  authorize(token: string | undefined, needed: Role): Role {
    if (!this.enabled) return 'admin';
    if (!token) throw new UnauthorizedError();
    const role = this.roleOf(token);
    if (!role) throw new UnauthorizedError('the token is not valid; check GANTRY_API_TOKENS or the tokens file');
    if (rank(role) < rank(needed)) throw new ForbiddenError(role, needed);
    return role;
  }
}

/** 0 for read, 1 for write, 2 for admin. */
export function rank(role: Role): number {
  return ROLES.indexOf(role);
}

/** The token of an `Authorization: Bearer …` header, or `undefined`. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** True for a loopback address (`127.x`, `::1`, `localhost`). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
