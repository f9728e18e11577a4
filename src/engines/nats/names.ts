/**
 * Every stream, bucket, consumer and subject name the engine uses, from its prefix (see
 * docs/nats.md). Nothing else in the engine spells a name.
 */

/** The KV buckets, by role. */
export const BUCKETS = [
  'jobs',
  'blobs',
  'queues',
  'unique',
  'active',
  'slots',
  'workers',
  'leases',
  'schedules',
] as const;

/** A KV bucket's role. */
export type BucketRole = (typeof BUCKETS)[number];

/** The names of one prefix. */
export interface Names {
  prefix: string;
  /** Work-queue stream of pointers to due jobs: `<prefix>.work.<queue>.<priority>`. */
  workStream: string;
  /** Limits stream of delayed jobs by second: `<prefix>.delay.<queue>.<unixSecond>`. */
  delayStream: string;
  /** Limits stream of events: `<prefix>.ev.<type>`. */
  eventStream: string;
  /** Work-queue stream of enqueues by any NATS client: `<prefix>.submit.<queue>`. */
  submitStream: string;
  /** Limits stream of final results: `<prefix>.result.<queue>.<jobId>`. */
  resultStream: string;
  bucket(role: BucketRole): string;
  work(queue: string, priority?: number): string;
  delay(queue: string, second?: number): string;
  event(type: string): string;
  /** The type token of an event subject (`mixed` for a message of several types). */
  eventType(subject: string): string;
  submit(queue?: string): string;
  result(queue: string, jobId?: string): string;
  /** Subject of the request-reply enqueue. */
  apiEnqueue: string;
  /** Durable consumer of one queue's priority on the work stream. */
  workConsumer(queue: string, priority: number): string;
  /** Durable consumer of the submit stream, shared by every Gantry process. */
  submitConsumer: string;
}

/** The names of `prefix`. */
export function namesOf(prefix: string): Names {
  const up = prefix.toUpperCase().replace(/-/g, '_');
  return {
    prefix,
    workStream: `${up}_WORK`,
    delayStream: `${up}_DELAY`,
    eventStream: `${up}_EVENTS`,
    submitStream: `${up}_SUBMIT`,
    resultStream: `${up}_RESULTS`,
    bucket: (role) => `${prefix}-${role}`,
    work: (queue, priority) => `${prefix}.work.${queue}.${priority ?? '*'}`,
    delay: (queue, second) => `${prefix}.delay.${queue}.${second ?? '*'}`,
    event: (type) => `${prefix}.ev.${type}`,
    eventType: (subject) => subject.slice(`${prefix}.ev.`.length),
    submit: (queue) => `${prefix}.submit.${queue ?? '*'}`,
    result: (queue, jobId) => `${prefix}.result.${queue}.${jobId === undefined ? '*' : encodeKey(jobId)}`,
    apiEnqueue: `${prefix}.api.enqueue`,
    workConsumer: (queue, priority) => `w_${queue}_${priority < 0 ? `n${-priority}` : priority}`,
    submitConsumer: 'gantry_submit',
  };
}

/**
 * A KV key or subject token for any text: letters, digits, `_` and `-` as they are, every other
 * UTF-8 byte as `=XX`. Job ids may hold `.` and `:`, which a KV key cannot (or would split).
 */
export function encodeKey(text: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(text)) return text;
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The text `encodeKey` made a key of. */
export function decodeKey(key: string): string {
  if (!key.includes('=')) return key;
  const bytes: number[] = [];
  for (let i = 0; i < key.length; i++) {
    if (key[i] === '=') {
      bytes.push(parseInt(key.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(key.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}
