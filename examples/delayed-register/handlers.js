// The worker's handlers: `gantry worker --handlers ./handlers.js`.

const pad = (n) => String(n).padStart(2, '0');

/** `YYYY-MM-DD hh:mm:ss` in the worker's local time zone (TZ). */
function stamp(d) {
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

export default {
  /** Prints the registered message, once its delay is over. */
  'dm.message': async (job) => {
    console.log(`[${stamp(new Date())}] ${job.payload.message}`);
  },
};
