// The worker processes of one run: forks `bench/child.js` N times, drives them through
// init → start → stop → close, and sums their progress reports.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('../child.js', import.meta.url));
/** Longest wait for a child to answer a command, ms (start includes migrations on some peers). */
const REPLY_TIMEOUT_MS = 120_000;

class Child {
  constructor() {
    this.proc = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.count = 0;
    this.waiters = [];
    this.listeners = [];
    this.exited = null;
    this.proc.on('message', (msg) => this.onMessage(msg));
    this.proc.on('exit', (code, signal) => {
      this.exited = new Error(`bench worker process exited (code ${code}, signal ${signal})`);
      for (const w of this.waiters.splice(0)) w.reject(this.exited);
    });
  }

  onMessage(msg) {
    if (msg.ev === 'progress') this.count = msg.count;
    for (const l of this.listeners) l(msg);
    const i = this.waiters.findIndex((w) => w.ev === msg.ev || msg.ev === 'error');
    if (i < 0) return;
    const [w] = this.waiters.splice(i, 1);
    if (msg.ev === 'error') w.reject(new Error(`bench worker process failed: ${msg.message}`));
    else w.resolve(msg);
  }

  /** Waits for the next message `ev` (rejects on an error report, an exit or a timeout). */
  next(ev, timeoutMs = REPLY_TIMEOUT_MS) {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`bench worker process did not answer ${ev} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        ev,
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }

  async request(msg, ev) {
    const reply = this.next(ev);
    this.proc.send(msg);
    return reply;
  }
}

/** A set of worker processes running one system's consumer on one spec. */
export class Fleet {
  constructor(children) {
    this.children = children;
  }

  /** Forks `processes` children and initialises each with the system's consumer. */
  static async launch({ engine, system, spec, processes, concurrency, mode = 'count' }) {
    const children = Array.from({ length: processes }, () => new Child());
    const fleet = new Fleet(children);
    try {
      await Promise.all(children.map((c) => c.next('alive')));
      await Promise.all(
        children.map((c) => c.request({ cmd: 'init', engine, system, spec, concurrency, mode }, 'ready')),
      );
    } catch (err) {
      fleet.kill();
      throw err;
    }
    return fleet;
  }

  /** Jobs the children have run since their last start, as last reported. */
  get count() {
    return this.children.reduce((sum, c) => sum + c.count, 0);
  }

  /** Calls `fn(msg)` for every message of every child (latency mode's `job` messages). */
  onMessage(fn) {
    for (const c of this.children) c.listeners.push(fn);
  }

  async start({ sampleRss = false } = {}) {
    for (const c of this.children) c.count = 0;
    await Promise.all(this.children.map((c) => c.request({ cmd: 'start', sampleRss }, 'started')));
  }

  /** Stops every consumer; resolves with each child's report (counts, first/last job time, RSS). */
  async stop() {
    return Promise.all(this.children.map((c) => c.request({ cmd: 'stop' }, 'stopped')));
  }

  async close() {
    await Promise.all(this.children.map((c) => c.request({ cmd: 'close' }, 'closed').catch(() => {})));
    await Promise.all(this.children.map((c) => (c.exited ? null : new Promise((r) => c.proc.once('exit', r)))));
  }

  /** Ends every child at once (after a failure). */
  kill() {
    for (const c of this.children) if (!c.exited) c.proc.kill('SIGKILL');
  }
}
