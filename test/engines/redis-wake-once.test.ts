/**
 * The Redis engine's wake-up dedupe: a wake-up heard from the event stream and from the wake
 * channel wakes once, whichever comes first; one heard only one way always wakes.
 */
import { describe, expect, it } from 'vitest';
import { WakeBoard } from '../../src/backend/wake-board.js';
import { systemClock } from '../../src/core/clock.js';
import { WakeOnce } from '../../src/engines/redis/wake-once.js';

/** A board whose wake-ups of queue `q` are counted. */
function counted(): { once: WakeOnce; wakes: () => number } {
  const board = new WakeBoard(systemClock);
  let n = 0;
  const real = board.wake.bind(board);
  board.wake = (q: string) => {
    if (q === 'q') n++;
    real(q);
  };
  return { once: new WakeOnce(board), wakes: () => n };
}

describe('redis WakeOnce', () => {
  it('wakes once for an entry and its channel message, in either order', () => {
    const a = counted();
    a.once.stream(7, 'q');
    a.once.channel('q,#7', 6);
    expect(a.wakes()).toBe(1);

    const b = counted();
    b.once.channel('q,#7', 6);
    b.once.stream(7, 'q');
    expect(b.wakes()).toBe(1);
  });

  it('wakes for a message the reader has passed or does not read, and for messages without a seq', () => {
    const { once, wakes } = counted();
    once.channel('q,#5', 9);
    once.channel('q,#6', null);
    once.channel('q', 9);
    expect(wakes()).toBe(3);
  });

  it('wakes for every queue a message or an entry names', () => {
    const board = new WakeBoard(systemClock);
    const once = new WakeOnce(board);
    const woke: string[] = [];
    board.wake = (q: string) => void woke.push(q);
    once.channel('a,b,#3', null);
    once.stream(4, 'c,d');
    expect(woke).toEqual(['a', 'b', 'c', 'd']);
  });

  it('remembers no entry for a channel the process has left', () => {
    const { once, wakes } = counted();
    once.stream(12, 'q', false);
    once.channel('q,#12', null);
    expect(wakes()).toBe(2);
  });

  it('forgets entries whose messages will not come once the channel reconnects, and messages once the reader stops', () => {
    const { once, wakes } = counted();
    once.stream(10, 'q');
    once.channelReset();
    once.channel('q,#10', null);
    once.channel('q,#11', 10);
    once.readerStopped();
    once.stream(11, 'q');
    expect(wakes()).toBe(4);
  });
});
