/** Errors the worker runtime records on a job's attempt. */
import { GantryError } from '../core/errors.js';

/** A claimed job's type has no handler on this worker. */
export class UnknownJobTypeError extends GantryError {
  constructor(type: string, registered: string[]) {
    const known = registered.length ? registered.map((t) => JSON.stringify(t)).join(', ') : 'none';
    super(
      'UNKNOWN_JOB_TYPE',
      `no handler for job type ${JSON.stringify(type)} on this worker (registered: ${known}); register one with worker.handle(${JSON.stringify(type)}, fn) or run a worker that has it`,
      { details: { type, registered } },
    );
  }
}

/** The worker stopped before the attempt ended; the job is handed back to run again. */
export class WorkerShutdownError extends GantryError {
  constructor(workerId: string, shutdownTimeoutMs: number) {
    super(
      'SHUTDOWN',
      `worker ${workerId} stopped and the attempt did not finish within the shutdown timeout of ${shutdownTimeoutMs} ms; the job was handed back to run again`,
      { details: { workerId, shutdownTimeoutMs } },
    );
  }
}
