/** Query filters of the job list and the bulk actions, turned into `Client.list` options. */
import type { ListOptions } from '../../client/client.js';
import { listValues } from '../schemas/common.js';
import type { ListQuery } from '../schemas/jobs.js';
import { validateQueue, validateStates, validateType } from '../../core/validate.js';

/** Turns list query parameters into `Client.list` options, refusing unknown states. */
export function listOptions(q: Omit<ListQuery, 'limit' | 'cursor'>): ListOptions {
  const o: ListOptions = {};
  const states = listValues(q.state);
  if (states) o.state = validateStates(states);
  // Names are checked like at enqueue, so a typo or a hostile string gets a 400 that says why.
  const queue = listValues(q.queue)?.map(validateQueue);
  if (queue) o.queue = queue;
  const type = listValues(q.type)?.map(validateType);
  if (type) o.type = type;
  const tag = listValues(q.tag);
  if (tag) o.tag = tag;
  const id = listValues(q.id);
  if (id) o.id = id;
  if (q.text) o.text = q.text;
  return o;
}
