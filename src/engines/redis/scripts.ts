/**
 * The engine's Lua scripts: `lua/redis/<name>.lua` at the package root, each run after the parts
 * of `lua/redis/common.lua` it uses, with the placeholders `__NAME__` replaced by values derived
 * from the core (the record's columns, state lists, limits). ioredis loads each once per server
 * (`EVALSHA`) and sends it again when a server answers `NOSCRIPT` (after a restart or a
 * `SCRIPT FLUSH`).
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Cluster, Redis } from 'ioredis';
import { MIN_TIME_MS, REDIS_CLAIM_BLOCK_MS, REDIS_EVENTS_MAXLEN } from '../../core/constants.js';
import { EngineUnavailableError } from '../../core/errors.js';
import { EVENT_FOR_STATE, WAKING_STATES } from '../../core/events.js';
import { LIVE_STATES } from '../../core/job.js';
import { CLAIM_COLUMNS, CLAIM_RAW, JOB_COLUMNS } from './job-codec.js';

/** Every script, by the name of its file. */
export const SCRIPT_NAMES = [
  'events-publish',
  'events-top',
  'job-cancel',
  'job-delete',
  'job-progress',
  'job-promote',
  'job-retry',
  'jobs-by-suffix',
  'jobs-claim',
  'jobs-complete',
  'jobs-count',
  'jobs-count-finished',
  'jobs-enqueue',
  'jobs-expire',
  'jobs-fail',
  'jobs-get',
  'jobs-lease-expired',
  'jobs-lease-renew',
  'jobs-list',
  'jobs-oldest-due',
  'jobs-promote',
  'jobs-prune',
  'jobs-release',
  'leader-elect',
  'queue-delete',
  'queue-update',
  'schedule-delete',
  'schedule-fire-claim',
  'schedule-upsert',
  'schedules-get',
  'worker-heartbeat',
  'worker-remove',
  'workers-list',
] as const;

/** A script's name. */
export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** Resolves from src/engines/redis (vitest) and dist/src/engines/redis alike by walking up. */
const CANDIDATE_DIRS = [
  new URL('../../../lua/redis/', import.meta.url),
  new URL('../../../../lua/redis/', import.meta.url),
];

const luaTable = (values: readonly string[]): string => `{ ${values.map((v) => JSON.stringify(v)).join(', ')} }`;
const luaSet = (values: readonly string[]): string =>
  `{ ${values.map((v) => `[${JSON.stringify(v)}] = true`).join(', ')} }`;
const luaMap = (m: Readonly<Record<string, string | undefined>>): string =>
  `{ ${Object.entries(m)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join(', ')} }`;

/**
 * The Lua expression that turns a claimed record `r` (the values of `CLAIM_COLUMNS`) into a JSON
 * list: one concatenation, with no loop or branch per column left to the script.
 */
function claimJsonRow(): string {
  const cells = CLAIM_RAW.map((raw, i) => (raw ? `(r[${i + 1}] or 'null')` : `json_text(r[${i + 1}])`));
  return `'[' .. ${cells.join(" .. ',' .. ")} .. ']'`;
}

/** A table of each column's position in `columns`, counted from `first`. */
const luaPositions = (columns: readonly string[], first: number): string =>
  `{ ${columns.map((c, i) => `[${JSON.stringify(c)}] = ${i + first}`).join(', ')} }`;

/** The values the placeholders of the scripts stand for. */
const PLACEHOLDERS: Record<string, string> = {
  __JOB_COLUMNS__: luaTable(JOB_COLUMNS),
  // Table constructors sized at compile time: no rehash as a loop filling them would cause.
  // A new job's row (jobs-enqueue.lua): 1 is the `fresh` mark, then the columns.
  __ROW_POSITIONS__: luaPositions(JOB_COLUMNS, 2),
  __CLAIM_POSITIONS__: luaPositions(CLAIM_COLUMNS, 1),
  __CLAIM_COLUMNS__: luaTable(CLAIM_COLUMNS),
  __CLAIM_JSON_ROW__: claimJsonRow(),
  __LIVE_STATES__: luaSet(LIVE_STATES),
  __WAKING_STATES__: luaSet(WAKING_STATES),
  __EVENT_FOR_STATE__: luaMap(EVENT_FOR_STATE),
  __EVENTS_MAXLEN__: String(REDIS_EVENTS_MAXLEN),
  __RUN_AT_OFFSET__: String(-MIN_TIME_MS),
  __WAKE_BLOCK_MS__: String(REDIS_CLAIM_BLOCK_MS),
};

let cached: Map<ScriptName, string> | undefined;

/** A part of common.lua: the local names it defines, and its text. */
interface CommonPart {
  names: RegExp;
  text: string;
}

const PART_MARK = /^-- part: (.+)$/gm;

/** Splits common.lua into what every script gets (the part before the first mark) and its parts. */
function commonParts(common: string): { head: string; parts: CommonPart[] } {
  const starts = [...common.matchAll(PART_MARK)];
  const parts = starts.map((m, i) => ({
    names: new RegExp(`(?<![\\w.])(?:${m[1]!.trim().split(/\s+/).join('|')})(?!\\w)`),
    text: common.slice(m.index, starts[i + 1]?.index ?? common.length),
  }));
  return { head: common.slice(0, starts[0]?.index ?? common.length), parts };
}

/** Lua code without its comments and string literals: where a name is used, not mentioned. */
const codeOf = (lua: string): string =>
  lua.replace(/--[^\n]*/g, '').replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");

/**
 * The common part a script runs before its own: the head and every part whose names the script
 * uses, or a part it takes uses, kept in their order (a part uses only those before it).
 */
function commonFor(script: string, head: string, parts: CommonPart[]): string {
  const taken = new Set<CommonPart>();
  let reads = codeOf(script);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of parts) {
      if (taken.has(p) || !p.names.test(reads)) continue;
      taken.add(p);
      reads += codeOf(p.text);
      grew = true;
    }
  }
  return (
    head +
    parts
      .filter((p) => taken.has(p))
      .map((p) => p.text)
      .join('')
  );
}

/** The source of every script, common part included and placeholders filled. */
export function scriptSources(): Map<ScriptName, string> {
  if (cached) return cached;
  const dir = CANDIDATE_DIRS.find((d) => existsSync(new URL('common.lua', d)));
  if (!dir) {
    throw new EngineUnavailableError(
      'the Redis scripts (lua/redis/*.lua) are missing from the package; reinstall gantry',
    );
  }
  const read = (name: string): string =>
    readFileSync(fileURLToPath(new URL(`${name}.lua`, dir)), 'utf8').replace(/__[A-Z_]+__/g, (m) => {
      const v = PLACEHOLDERS[m];
      if (v === undefined) throw new Error(`unknown placeholder ${m} in lua/redis/${name}.lua`);
      return v;
    });
  const { head, parts } = commonParts(read('common'));
  cached = new Map(
    SCRIPT_NAMES.map((n) => {
      const own = read(n);
      return [n, `${commonFor(own, head, parts)}\n${own}`];
    }),
  );
  return cached;
}

/** A client on which every script is defined as a command named after it. */
export type ScriptClient = (Redis | Cluster) & {
  [K in ScriptName]: (key: string, ...args: (string | number)[]) => Promise<unknown>;
};

/** Defines every script on `client` (ioredis loads each on first use, again after NOSCRIPT). */
export function defineScripts(client: Redis | Cluster): ScriptClient {
  for (const [name, lua] of scriptSources()) client.defineCommand(name, { numberOfKeys: 1, lua });
  return client as ScriptClient;
}
