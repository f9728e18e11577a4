/**
 * The worker's calls on the wire (docs/nats.md): a direct get reads the answer's raw header
 * block for the revision, the operation and the status, and falls back to the client's parsed
 * headers for a message of another shape.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNatsUrl } from '../../src/engines/nats/connection.js';
import { Wire, wireGet, wirePut } from '../../src/engines/nats/wire.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';

const available = await engineAvailable('nats');
const text = (b: Uint8Array): string => Buffer.from(b).toString();

describe.skipIf(!available)('nats: direct gets on the wire', () => {
  let nc: NatsConnection;
  let wire: Wire;
  const bucket = `tw${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    nc = await connect({ servers: parseNatsUrl(TEST_URLS.nats).servers });
    await new Kvm(nc).create(bucket, { history: 1, allow_direct: true });
    wire = new Wire(nc);
  });
  afterAll(async () => {
    wire?.close();
    await (await jetstreamManager(nc)).streams.delete(`KV_${bucket}`).catch(() => undefined);
    await nc?.close();
  });

  it('answers the value, revision and operation of a key, null for none', async () => {
    const rev = await wirePut(wire, bucket, 'a', '{"x":1}');
    const got = await wireGet(wire, bucket, 'a', true);
    expect(got && { value: text(got.value), revision: got.revision, operation: got.operation }).toEqual({
      value: '{"x":1}',
      revision: rev,
      operation: 'PUT',
    });
    expect(await wireGet(wire, bucket, 'none', true)).toBeNull();
    const kv = await new Kvm(nc).open(bucket);
    await kv.delete('a');
    expect((await wireGet(wire, bucket, 'a', true))?.operation).toBe('DEL');
  });

  it('reads a message without the raw fields through its parsed headers', async () => {
    const answer = (m: object): Wire => ({ request: async () => m }) as unknown as Wire;
    const found = headers();
    found.set('Nats-Sequence', '7');
    const got = await wireGet(answer({ data: Buffer.from('v'), headers: found }), bucket, 'k', true);
    expect(got && { value: text(got.value), revision: got.revision, operation: got.operation }).toEqual({
      value: 'v',
      revision: 7,
      operation: 'PUT',
    });
    const missing = headers(404, 'Message Not Found');
    expect(await wireGet(answer({ data: new Uint8Array(0), headers: missing }), bucket, 'k', true)).toBeNull();
  });
});
