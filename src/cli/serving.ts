/** Whether a queue is served: how many live workers take from it, and whether it is paused. */
import type { Client } from '../client/client.js';

/** Live workers whose queues include `queue`, and the queue's paused flag. */
export async function workersServing(client: Client, queue: string): Promise<{ workers: number; paused: boolean }> {
  const [workers, queues] = await Promise.all([client.workers(), client.queues()]);
  return {
    workers: workers.filter((w) => w.queues.some((q) => q.name === queue)).length,
    paused: queues.find((q) => q.name === queue)?.paused ?? false,
  };
}
