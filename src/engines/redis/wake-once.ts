/**
 * Wake-ups heard twice, woken once. A script that wakes queues names them in its event stream
 * entry and on the wake channel (`q1,q2,#<seq>`): a process reading the stream hears the entry
 * first (Redis answers a blocked `XREAD` before it writes to subscribers), one that does not
 * hears the channel. Each wake-up wakes at whichever arrives first; the other, matched by the
 * entry's seq, is dropped, so an idle worker does not claim twice for one enqueue.
 */
import type { WakeBoard } from '../../backend/wake-board.js';

/** Seqs remembered for the other source at most (a source that stopped leaves some behind). */
const MAX_REMEMBERED = 1000;

/** Dedupes the wake-ups of stream entries and channel messages by seq. */
export class WakeOnce {
  /** Seqs woken by their stream entry, whose channel message has not come yet. */
  private readonly byStream = new Set<number>();
  /** Seqs woken by their channel message, whose entry the reader has not read yet. */
  private readonly byChannel = new Set<number>();

  constructor(private readonly board: WakeBoard) {}

  /**
   * The wake-ups of the stream entry `seq` (its `w` field, `q1,q2`). `channelHeard`: whether
   * its channel message may still come (not when the process has left the channel).
   */
  stream(seq: number, queues: string, channelHeard = true): void {
    if (this.byChannel.delete(seq)) return;
    if (channelHeard) remember(this.byStream, seq);
    for (const q of queues.split(',')) this.board.wake(q);
  }

  /**
   * A message of the wake channel. `readerAt`: the seq the stream reader has read up to, or
   * null when it does not read (then no entry will match this message).
   */
  channel(message: string, readerAt: number | null): void {
    const mark = message.lastIndexOf(',#');
    const seq = mark < 0 ? NaN : Number(message.slice(mark + 2));
    const queues = mark < 0 ? message : message.slice(0, mark);
    if (!Number.isNaN(seq)) {
      if (this.byStream.delete(seq)) return;
      if (readerAt !== null && seq > readerAt) remember(this.byChannel, seq);
    }
    for (const q of queues.split(',')) this.board.wake(q);
  }

  /** The reader stopped: the entries it has not read will not come. */
  readerStopped(): void {
    this.byChannel.clear();
  }

  /** The channel reconnected: the messages published meanwhile will not come. */
  channelReset(): void {
    this.byStream.clear();
  }
}

function remember(set: Set<number>, seq: number): void {
  if (set.size >= MAX_REMEMBERED) set.delete(set.values().next().value as number);
  set.add(seq);
}
