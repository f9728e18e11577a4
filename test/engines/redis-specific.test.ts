/**
 * What only the Redis engine has: scripts sent again after `SCRIPT FLUSH` (NOSCRIPT), every key
 * of a namespace under its one hash tag, `now` from the engine's clock only, and the URL's
 * options with a password that is never printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { ManualClock } from '../../src/core/clock.js';
import { EngineUnavailableError } from '../../src/core/errors.js';
import { openRedisBackend, parseRedisUrl, type RedisBackend } from '../../src/engines/redis/index.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { deleteNamespace } from '../helpers/redis.js';
import { freePort } from '../helpers/throwaway-redis.js';
import { waitUntil } from '../conformance/fixtures.js';

const available = await engineAvailable('redis');
const admin = available ? new Redis(TEST_URLS.redis) : null;
afterAll(() => admin?.quit());
let n = 0;

describe.skipIf(!available)('redis engine specifics', () => {
  let backend: RedisBackend | undefined;
  afterEach(async () => {
    await backend?.close();
    if (backend) await deleteNamespace(admin!, backend.base);
    backend = undefined;
  });
  const open = async (clock = new ManualClock()): Promise<RedisBackend> =>
    (backend = await openRedisBackend({ url: TEST_URLS.redis, clock, namespace: `gantry-s-${process.pid}-${n++}` }));

  it('sends its scripts again after SCRIPT FLUSH (NOSCRIPT) and goes on', async () => {
    const b = await open();
    const client = new Client(b);
    const job = await client.enqueue('a.b', { n: 1 });
    await admin!.script('FLUSH');
    expect((await client.get(job.id))?.state).toBe('queued');
    const [claimed] = await b.jobsClaim({ workerId: 'w', queues: ['default'], limit: 1, leaseMs: 1000 });
    expect(claimed?.id).toBe(job.id);
  });

  it('stores no field for false or an empty list, and reads them back as false and []', async () => {
    const b = await open();
    const client = new Client(b);
    const plain = await client.enqueue('a.b', { n: 1 });
    const full = await client.enqueue('a.b', { n: 2 }, { tags: ['t'], deleteOnComplete: true });
    const fields = async (id: string): Promise<string[]> => Object.keys(await admin!.hgetall(`${b.base}job:${id}`));
    for (const f of ['tags', 'errors', 'retries', 'delete_on_complete'])
      expect(await fields(plain.id)).not.toContain(f);
    expect(await fields(full.id)).toEqual(expect.arrayContaining(['tags', 'delete_on_complete']));
    const read = await client.get(plain.id);
    expect(read).toMatchObject({ tags: [], errors: [], retries: [], deleteOnComplete: false });
    expect(await client.get(full.id)).toMatchObject({ tags: ['t'], deleteOnComplete: true });
    // What a claim and a failure read: the lists start empty and grow from there.
    await b.jobsClaim({ workerId: 'w', queues: ['default'], limit: 2, leaseMs: 1000 }).then((jobs) => {
      expect(jobs.map((j) => [j.tags, j.errors, j.retries, j.deleteOnComplete])).toEqual([
        [[], [], [], false],
        [['t'], [], [], true],
      ]);
    });
    expect((await client.list({ tag: 't' })).jobs.map((j) => j.id)).toEqual([full.id]);
  });

  it('listens to the wake channel from the first wait for work, not in a process that only enqueues', async () => {
    const b = await open();
    const listeners = async (): Promise<number> =>
      Number(((await admin!.pubsub('NUMSUB', `${b.base}wake`)) as [string, number])[1]);
    await new Client(b).enqueue('a.b', { n: 1 });
    expect(await listeners()).toBe(0);
    // The first wait is woken once the channel listens: a job enqueued meanwhile is looked for.
    await b.workAwait({ queues: ['default'], timeoutMs: 60_000 });
    expect(await listeners()).toBe(1);
    const woken = b.workAwait({ queues: ['default'], timeoutMs: 60_000 });
    await new Client(b).enqueue('a.b', { n: 2 });
    await woken;
  });

  it('claims on wake-up inside Redis, at the time of the wake-up, leaving no poke and wake streams only where claims waited', async () => {
    const start = Date.UTC(2031, 0, 2);
    const clock = new ManualClock(start);
    const b = await open(clock);
    const client = new Client(b);
    const wakes = (q: string): Promise<number> => admin!.exists(`${b.base}wakes:${q}`);
    const blocked = async (): Promise<boolean> =>
      ((await admin!.client('LIST')) as string)
        .split('\n')
        .some((l) => l.includes(`name=gantry-claim:${b.prefix} `) && l.includes('cmd=xread') && /flags=\S*b/.test(l));
    await client.enqueue('a.b', {}, { queue: 'nobody' });
    expect(await wakes('nobody')).toBe(0);
    const params = { workerId: 'w', queues: ['q'], limit: 1, leaseMs: 1_000, timeoutMs: 60_000 };
    const waiting = b.jobsClaimAwait(params);
    await waitUntil(blocked, 5_000, 'the claim to block on its wake stream');
    expect(await wakes('q')).toBe(1);
    // Sent at `start`; the job comes 2 s later on the clock: that is when it starts.
    await clock.advance(2_000);
    const job = await client.enqueue('a.b', {}, { queue: 'q' });
    const [got] = await waiting;
    expect(got?.id).toBe(job.id);
    expect([got?.startedAt?.getTime(), got?.leaseUntil?.getTime()]).toEqual([start + 2_000, start + 3_000]);
    // An abort ends the blocked read with a poke: nothing claimed, the poke gone.
    const ac = new AbortController();
    const ended = b.jobsClaimAwait({ ...params, signal: ac.signal });
    await waitUntil(blocked, 5_000, 'the claim to block again');
    ac.abort();
    expect(await ended).toEqual([]);
    expect(await admin!.keys(`${b.base}poke:*`)).toEqual([]);
    const later = await client.enqueue('a.b', {}, { queue: 'q' });
    expect((await client.get(later.id))?.state).toBe('queued');
    await b.jobCancel({ id: later.id });
    await b.jobsComplete({ items: [{ id: job.id, workerId: 'w', attempt: 1, result: null }] });
    await b.jobDelete({ id: later.id });
    await b.jobDelete({ id: job.id });
    expect((await b.queueDelete({ queue: 'q' })).deleted).toBe(true);
    expect(await wakes('q')).toBe(0);
  });

  it('keeps every key of a namespace under its hash tag, and takes the time from its clock', async () => {
    const clock = new ManualClock(Date.UTC(2031, 0, 2));
    const b = await open(clock);
    const client = new Client(b);
    await client.enqueue('a.b', { n: 1 }, { delay: 60_000, uniqueKey: 'k', deadline: clock.now() + 120_000 });
    await client.enqueue('a.b', { n: 2 });
    await b.jobsClaim({ workerId: 'w', queues: ['default'], limit: 1, leaseMs: 1000 });
    await b.workerHeartbeat({
      worker: {
        id: 'h:1:x',
        host: 'h',
        pid: 1,
        queues: [{ name: 'default', weight: 1 }],
        concurrency: 1,
        running: [],
        startedAt: new Date(clock.now()),
        lastSeenAt: new Date(clock.now()),
      },
    });
    await b.leaderElect({ name: 'm', holder: 'h', ttlMs: 1000 });
    const keys = await admin!.keys(`*${b.prefix}*`);
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.every((k) => k.startsWith(`{${b.prefix}}:`))).toBe(true);
    const [job] = (await client.list({ state: 'running' })).jobs;
    expect(job?.startedAt?.getTime()).toBe(Date.UTC(2031, 0, 2));
  });

  it('trims the event stream by age, by the times its entries were written at', async () => {
    const clock = new ManualClock(Date.UTC(2031, 0, 2, 10, 0, 30));
    const b = await open(clock);
    const fire = (schedule: string): Promise<void> =>
      b.eventsPublish({ events: [{ type: 'schedule.fired', at: clock.now(), schedule }] });
    await fire('a');
    await clock.advance(60_000);
    await fire('b');
    await clock.advance(60_000);
    await fire('c');
    const replayed = async (): Promise<string[]> => {
      const seen: string[] = [];
      const stop = await b.eventsSubscribe({ afterSeq: '0', onEvent: (e) => seen.push(e.schedule!) });
      await stop();
      return seen;
    };
    expect(await replayed()).toEqual(['a', 'b', 'c']);
    await b.jobsPrune({ finishedBefore: {}, eventsBefore: new Date(Date.UTC(2031, 0, 2, 10, 0, 30)) });
    expect(await replayed()).toEqual(['a', 'b', 'c']);
    // Written at 10:00:30 and 10:01:30, before 10:01:31; the one of 10:02:30 is not.
    await b.jobsPrune({ finishedBefore: {}, eventsBefore: new Date(Date.UTC(2031, 0, 2, 10, 1, 31)) });
    expect(await replayed()).toEqual(['c']);
    await b.jobsPrune({ finishedBefore: {}, eventsBefore: new Date(Date.UTC(2031, 0, 3)) });
    expect(await replayed()).toEqual([]);
    await fire('d');
    expect(await replayed()).toEqual(['d']);
  });

  it('reads prefix, database, cluster seeds and timeout from the URL, the password from the environment or a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-redis-pw-'));
    try {
      const file = join(dir, 'pw');
      writeFileSync(file, 's3cret-file\n');
      const t = parseRedisUrl(
        `rediss://app@h1:7000/3?prefix=tenant-a&cluster=true&nodes=h2:7001,h3&password_file=${file}`,
      );
      expect(t).toMatchObject({
        db: 3,
        tls: true,
        username: 'app',
        prefix: 'tenant-a',
        cluster: true,
        password: 's3cret-file',
        nodes: [
          { host: 'h1', port: 7000 },
          { host: 'h2', port: 7001 },
          { host: 'h3', port: 6379 },
        ],
      });
      process.env.GANTRY_REDIS_PASSWORD = 's3cret-env';
      expect(parseRedisUrl('redis://h/0').password).toBe('s3cret-env');
      expect(parseRedisUrl('redis://h/0', 'ns').prefix).toBe('ns');
      expect(() => parseRedisUrl('redis://h/0?prefix={bad}')).toThrow(/prefix/);
    } finally {
      delete process.env.GANTRY_REDIS_PASSWORD;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never prints the password of the URL in an error', async () => {
    const port = await freePort();
    const err = await openRedisBackend({ url: `redis://user:hunter2-pw@127.0.0.1:${port}/0` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).not.toContain('hunter2');
  });
});
