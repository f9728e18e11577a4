// The handlers of `gantry worker --handlers ./handlers.js --queues TEST`.
export default {
  /** The task of the example: whatever its payload, it is done. */
  example: async () => 'done',
};
