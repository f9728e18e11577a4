/**
 * Short job ids: the tail of an id, as the dashboard and `gantry dev` print it (`…1a2b3c4d`).
 * Anything that takes a job id also takes a short one; the `Client` resolves it to the one job
 * whose id ends that way (see `Client.resolveId`).
 */
import { SHORT_ID_LENGTH } from './constants.js';

/** Leading ellipsis of a printed short id: the character, or three dots as people type it. */
const ELLIPSIS = /^(?:…|\.\.\.)/;

/** A bare tail people may paste without the ellipsis: hex digits and dashes, shorter than a UUID. */
const BARE_TAIL = new RegExp(`^[0-9a-f-]{${SHORT_ID_LENGTH},35}$`, 'i');

/**
 * The short form of `id`: an ellipsis and its last `SHORT_ID_LENGTH` characters. An id no longer
 * than that is shown whole (a shorter tail could not be resolved back to it).
 */
export function shortId(id: string): string {
  return id.length > SHORT_ID_LENGTH ? `…${id.slice(-SHORT_ID_LENGTH)}` : id;
}

/**
 * The id tail a short id stands for, or `null` when `input` is not a short id: `…` or `...`
 * followed by at least `SHORT_ID_LENGTH` characters, or `SHORT_ID_LENGTH` to 35 hex digits and
 * dashes (the end of a UUID). A full UUID is never a short id.
 */
export function shortIdTail(input: string): string | null {
  const s = input.trim();
  if (ELLIPSIS.test(s)) {
    const tail = s.replace(ELLIPSIS, '');
    return tail.length >= SHORT_ID_LENGTH ? tail : null;
  }
  return BARE_TAIL.test(s) ? s : null;
}
