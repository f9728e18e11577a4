// The handlers of the lane workers: `gantry worker --handlers ./handlers.js --queues …`.
export default {
  /** Greets `payload.Name`; the greeting is the job's result (and its `job.completed` event's). */
  hello: async (job) => {
    const greeting = `Hello, ${job.payload?.Name ?? 'world'}!`;
    console.log(greeting);
    return greeting;
  },
};
