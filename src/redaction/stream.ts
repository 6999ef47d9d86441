/**
 * Redacts a stream event by event without ever writing a secret that arrives split across deltas.
 *
 * Each channel's fragments are concatenated; an event is held back until every channel it adds
 * text to has `lookahead` more characters after it (or the channel is closed, or the stream
 * ends), then detection runs on the concatenated text around it. A secret's first fragment gets
 * the marker, its other fragments lose those characters, so the events still concatenate to the
 * same redacted text that `text()` gives for the assembled output. Events leave in arrival order.
 */
import type { StreamEvent } from '../cassette/schema.ts';
import { closedChannels, type DeltaRef, deltaRefs, setAt } from './deltas.ts';
import { completeEnd } from './escapes.ts';
import { marker } from './marker.ts';
import type { Detect } from './scrub.ts';

export interface StreamRedactor {
  /** Returns the events that are now safe to write (possibly none: they are held back). */
  push(ev: StreamEvent): StreamEvent[];
  /** End of stream: every held event, redacted. The redactor can be reused afterwards. */
  flush(): StreamEvent[];
}

export interface StreamOptions {
  /** Characters of a channel's text that must follow a fragment before it is released. */
  lookahead?: number;
  /** Most events held at once; beyond it the oldest is released early. */
  maxEvents?: number;
}

interface Span {
  start: number;
  end: number;
  marked: boolean;
  /**
   * Found against the end of a growing text: the end of what has arrived looked like the end of
   * the token, so the span may be too wide (a 40-character AWS-secret shape that ends where the
   * window ends, before the text goes on). Replaced by the next look at that text, unless it was
   * already rendered: then it stays, as every rendered span does.
   */
  provisional?: boolean;
}

interface Channel {
  text: string;
  /** Absolute offset of `text[0]`: text before it has been released and trimmed. */
  base: number;
  spans: Span[];
  /** Start of a finding that touched the end of the last window: it may continue. */
  openFrom: number | null;
  closed: boolean;
}

interface Frag {
  ref: DeltaRef;
  start: number;
  end: number;
}

interface Held {
  ev: StreamEvent;
  frags: Frag[];
}

/** Characters that can continue a token: detection windows never start inside a run of them. */
const WINDOW_BACKUP = /[A-Za-z0-9_+/=.@%\\-]/;
const TRIM_SLACK = 65_536;

export function createStreamRedactor(
  detect: Detect,
  scrub: (v: unknown) => unknown,
  options: StreamOptions = {},
): StreamRedactor {
  const lookahead = options.lookahead ?? 256;
  const maxEvents = options.maxEvents ?? 1024;
  let channels = new Map<string, Channel>();
  let held: Held[] = [];

  const channel = (key: string): Channel => {
    let ch = channels.get(key);
    if (!ch) {
      ch = { text: '', base: 0, spans: [], openFrom: null, closed: false };
      channels.set(key, ch);
    }
    return ch;
  };
  const end = (ch: Channel) => ch.base + ch.text.length;
  const ready = (h: Held, force: boolean) =>
    force ||
    h.frags.every((f) => {
      const ch = channel(f.ref.channel);
      return ch.closed || end(ch) >= f.end + lookahead;
    });

  function detectAround(ch: Channel, from: number): void {
    let start = Math.max(ch.base, Math.min(from - lookahead, ch.openFrom ?? from));
    // Back up to a token boundary so a window never begins mid-token (no false prefix matches),
    // and over backslashes so it never begins inside an escape: starting at the `n` of `\n`
    // made a key right after it look like the tail of a word (issue 14).
    for (
      let n = 0;
      start > ch.base &&
      (n < 512 || ch.text[start - 1 - ch.base] === '\\') &&
      WINDOW_BACKUP.test(ch.text[start - 1 - ch.base]!);
      n++
    ) {
      start--;
    }
    // A growing text may end inside an escape; a finding must not end there.
    const windowEnd = ch.closed ? end(ch) : start + completeEnd(ch.text.slice(start - ch.base));
    ch.openFrom = null;
    // What an earlier, shorter window judged at its edge is judged again on this longer one
    // (whole-text redaction sees the same text at once; a stream must end up where it does).
    ch.spans = ch.spans.filter((sp) => !sp.provisional || sp.marked || sp.start < start);
    for (const f of detect(ch.text.slice(start - ch.base, windowEnd - ch.base))) {
      const s = start + f.start;
      const e = start + f.end;
      const atEdge = e === windowEnd && !ch.closed;
      if (atEdge) ch.openFrom = Math.min(ch.openFrom ?? s, s);
      addSpan(ch, s, e, atEdge);
    }
  }

  function render(ch: Channel, a: number, b: number): string {
    let out = '';
    let at = a;
    for (const s of ch.spans) {
      if (s.end <= at || s.start >= b) continue;
      if (s.start > at) out += ch.text.slice(at - ch.base, s.start - ch.base);
      if (!s.marked) {
        out += marker(ch.text.slice(Math.max(0, s.start - ch.base), s.end - ch.base));
        s.marked = true;
      }
      at = Math.min(s.end, b);
    }
    return at < b ? out + ch.text.slice(at - ch.base, b - ch.base) : out;
  }

  function release(force: boolean): StreamEvent[] {
    let n = 0;
    while (n < held.length && ready(held[n]!, force || held.length - n > maxEvents)) n++;
    if (n === 0) return [];
    const batch = held.slice(0, n);
    held = held.slice(n);
    const first = new Map<string, number>();
    for (const h of batch) {
      for (const f of h.frags) if (!first.has(f.ref.channel)) first.set(f.ref.channel, f.start);
    }
    for (const [key, from] of first) detectAround(channel(key), from);
    const out = batch.map((h) => {
      const data = scrub(h.ev.data);
      for (const f of h.frags)
        setAt(data, f.ref.path, render(channel(f.ref.channel), f.start, f.end));
      return { ...h.ev, data };
    });
    for (const key of first.keys()) trim(channel(key));
    return out;
  }

  function trim(ch: Channel): void {
    const pending = held.flatMap((h) => h.frags.map((f) => f.start));
    let keep = Math.min(end(ch) - lookahead * 2, ch.openFrom ?? Infinity, ...pending);
    // The next window starts at the new base: not inside a token or an escape either.
    for (
      let n = 0;
      keep > ch.base && n < 512 && WINDOW_BACKUP.test(ch.text[keep - 1 - ch.base]!);
      n++
    )
      keep--;
    if (keep - ch.base > TRIM_SLACK) {
      ch.text = ch.text.slice(keep - ch.base);
      ch.base = keep;
      ch.spans = ch.spans.filter((s) => s.end > keep);
    }
  }

  return {
    push(ev) {
      const frags: Frag[] = deltaRefs(ev.data).map((ref) => {
        const ch = channel(ref.channel);
        ch.closed = false;
        const start = end(ch);
        ch.text += ref.text;
        return { ref, start, end: end(ch) };
      });
      const closes = closedChannels(ev.data);
      for (const [key, ch] of channels) if (closes(key)) ch.closed = true;
      held.push({ ev, frags });
      return release(false);
    },
    flush() {
      const out = release(true);
      channels = new Map();
      held = [];
      return out;
    },
  };
}

function addSpan(ch: Channel, start: number, end: number, provisional: boolean): void {
  const overlapping = ch.spans.filter((s) => s.start < end && start < s.end);
  if (overlapping.length === 0) {
    ch.spans.push({ start, end, marked: false, provisional });
    ch.spans.sort((x, y) => x.start - y.start);
    return;
  }
  // Union with what was already decided: characters once judged secret stay redacted.
  const keep = overlapping[0]!;
  keep.start = Math.min(start, ...overlapping.map((s) => s.start));
  keep.end = Math.max(end, ...overlapping.map((s) => s.end));
  keep.marked = overlapping.some((s) => s.marked);
  keep.provisional = provisional && overlapping.every((s) => s.provisional);
  ch.spans = ch.spans.filter((s) => s === keep || !overlapping.includes(s));
}
