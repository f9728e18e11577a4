/** The PostgreSQL engine's state, shared by its operations. */
import type { Ctx } from './context.js';
import type { Listener } from './listener.js';

/** The engine's connections and listener. */
export interface Engine {
  ctx: Ctx;
  listener: Listener;
  /** Set once closing began: every later close waits for the same. */
  closing: Promise<void> | null;
}
