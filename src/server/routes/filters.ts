/** Query filters of the job list and the bulk actions, turned into `Client.list` options. */
import type { ListOptions } from '../../client/client.js';
import { listValues } from '../schemas/common.js';
import type { ListQuery } from '../schemas/jobs.js';
import { validateStates } from '../../core/validate.js';

/**
 * Turns list query parameters into `Client.list` options, refusing unknown states (the bulk
 * actions read them); the Client checks every other value (`toJobFilter`).
 */
export function listOptions(q: Omit<ListQuery, 'limit' | 'cursor'>): ListOptions {
  const o: ListOptions = {};
  const states = listValues(q.state);
  if (states) o.state = validateStates(states);
  const queue = listValues(q.queue);
  if (queue) o.queue = queue;
  const type = listValues(q.type);
  if (type) o.type = type;
  const tag = listValues(q.tag);
  if (tag) o.tag = tag;
  const id = listValues(q.id);
  if (id) o.id = id;
  if (q.text) o.text = q.text;
  return o;
}
