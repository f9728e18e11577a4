/** Redis helpers of the tests: deleting a namespace's keys after a test. */
import type { Cluster, Redis } from 'ioredis';

/** Deletes every key that starts with `base` (a namespace's `{prefix}:`) on `client`'s node(s). */
export async function deleteNamespace(client: Redis | Cluster, base: string): Promise<void> {
  const match = `${base.replace(/[*?[\]\\]/g, '\\$&')}*`;
  const nodes = 'nodes' in client ? client.nodes('master') : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await node.unlink(...keys);
    } while (cursor !== '0');
  }
}
