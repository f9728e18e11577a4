/**
 * The server's handle on the engine. Given a `Client` or a `Backend` it simply hands it out;
 * given a URL it opens the engine lazily and, when that fails, keeps trying on later requests,
 * so the server stays up, answers 503 while the engine is unreachable and recovers by itself.
 */
import type { Backend } from '../backend/backend.js';
import { Client } from '../client/client.js';
import type { Clock } from '../core/clock.js';
import { EngineUnavailableError, GantryError } from '../core/errors.js';
import { redactUrl } from './redact.js';

/** Where the server gets its engine: exactly one of `client`, `backend`, `url`. */
export interface EngineSource {
  client?: Client;
  backend?: Backend;
  url?: string;
  /** Used when opening `url`. */
  clock?: Clock;
  /** Used when opening `url`. */
  namespace?: string;
}

/** Lazily opened, shared engine and client. */
export class EngineHandle {
  private client: Client | null;
  private opening: Promise<Client> | null = null;
  private readonly listeners: ((c: Client) => void)[] = [];
  private closed = false;

  constructor(private readonly source: EngineSource) {
    if (source.client) this.client = source.client;
    else if (source.backend) this.client = new Client(source.backend);
    else if (source.url) this.client = null;
    else throw new GantryError('VALIDATION', 'createServer needs one of client, backend or url');
  }

  /** True once the engine has been opened. */
  get isOpen(): boolean {
    return this.client !== null;
  }

  /** The engine name from the open backend, or from the URL scheme. */
  get engineName(): string {
    return this.client?.backend.name ?? /^([a-z]+):/i.exec(this.source.url ?? '')?.[1] ?? 'unknown';
  }

  /** The client, opening the engine when needed; throws `EngineUnavailableError` while it cannot. */
  async get(): Promise<Client> {
    if (this.client) return this.client;
    if (this.closed) throw new EngineUnavailableError('the server is shutting down');
    this.opening ??= this.open().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  /** The backend, opening the engine when needed. */
  async backend(): Promise<Backend> {
    return (await this.get()).backend;
  }

  /** Calls `fn` with the client once the engine is open (at once if it is). */
  onOpen(fn: (c: Client) => void): void {
    if (this.client) fn(this.client);
    else this.listeners.push(fn);
  }

  private async open(): Promise<Client> {
    try {
      const client = await Client.connect({
        url: this.source.url!,
        ...(this.source.clock ? { clock: this.source.clock } : {}),
        ...(this.source.namespace ? { namespace: this.source.namespace } : {}),
      });
      if (this.closed) {
        await client.close();
        throw new EngineUnavailableError('the server is shutting down');
      }
      this.client = client;
      for (const fn of this.listeners.splice(0)) fn(client);
      return client;
    } catch (err) {
      // A bad URL is a configuration mistake, not an outage: retrying cannot fix it.
      if (err instanceof EngineUnavailableError || (err instanceof GantryError && err.code === 'UNSUPPORTED_URL')) {
        throw err;
      }
      throw new EngineUnavailableError(
        `cannot open the engine at ${redactUrl(this.source.url!)}: ${(err as Error).message}; the server keeps trying`,
        err,
      );
    }
  }

  /** Closes the engine if the server opened it. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.source.url && this.client) await this.client.close();
  }
}
