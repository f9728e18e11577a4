/**
 * Writing outcome items (completions, failures) so that one the engine cannot store never blocks
 * the others. A batch the engine refuses for a reason other than being unreachable is written
 * again one item at a time; what it still refuses is reported per item, for the caller to
 * replace with a failure that says why (`refusedItem`). Maintenance (lease recovery) and the
 * worker's outcome writer both write this way (docs/architecture.md, "Limits").
 */
import { GantryError } from './errors.js';

/** True when `err` says the engine cannot be reached (or its schema is not current): the same write may succeed later. */
export function engineUnreachable(err: unknown): boolean {
  return err instanceof GantryError && (err.code === 'ENGINE_UNAVAILABLE' || err.code === 'MIGRATION');
}

/** An item the engine did not store, and why. */
export interface Refusal<T> {
  item: T;
  error: unknown;
}

/** What a write of outcome items did: ids lost to fencing, and items not stored. */
export interface EachWritten<T> {
  lost: string[];
  refused: Refusal<T>[];
}

/**
 * Writes `items` with `write` in one call; when the engine refuses the batch, writes each item
 * alone. An unreachable engine refuses the item it happened on and every item after it, with its
 * error, so the caller can tell (`engineUnreachable`) and try them again later.
 */
export async function writeEach<T extends { id: string }>(
  items: T[],
  write: (items: T[]) => Promise<{ lost: string[] }>,
): Promise<EachWritten<T>> {
  if (items.length === 0) return { lost: [], refused: [] };
  try {
    return { lost: (await write(items)).lost, refused: [] };
  } catch (error) {
    if (items.length === 1 || engineUnreachable(error))
      return { lost: [], refused: items.map((item) => ({ item, error })) };
  }
  const out: EachWritten<T> = { lost: [], refused: [] };
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    try {
      out.lost.push(...(await write([item])).lost);
    } catch (error) {
      if (engineUnreachable(error)) {
        out.refused.push(...items.slice(i).map((rest) => ({ item: rest, error })));
        break;
      }
      out.refused.push({ item, error });
    }
  }
  return out;
}
