/** Reads a server-sent-event stream with `fetch`, frame by frame. */

/** One SSE frame: comment lines, id and data. */
export interface Frame {
  comments: string[];
  id?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data?: any;
}

/** An open stream. */
export interface SseStream {
  res: Response;
  /** The next frame (waits for it). */
  next(): Promise<Frame>;
  /** The next frame with data (skips heartbeats and comments). */
  nextEvent(): Promise<Frame>;
  close(): Promise<void>;
}

function parse(text: string): Frame {
  const f: Frame = { comments: [] };
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) f.comments.push(line.slice(1).trim());
    else if (line.startsWith('id: ')) f.id = line.slice(4);
    else if (line.startsWith('data: ')) f.data = JSON.parse(line.slice(6));
  }
  return f;
}

/** Opens `url` as an event stream. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers } });
  if (!res.body) throw new Error(`no body, status ${res.status}`);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const next = async (): Promise<Frame> => {
    for (;;) {
      const at = buf.indexOf('\n\n');
      if (at >= 0) {
        const frame = buf.slice(0, at);
        buf = buf.slice(at + 2);
        return parse(frame);
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buf += dec.decode(value, { stream: true });
    }
  };
  return {
    res,
    next,
    async nextEvent() {
      for (;;) {
        const f = await next();
        if (f.data !== undefined) return f;
      }
    },
    close: () => reader.cancel().catch(() => undefined),
  };
}
