/**
 * Capture runs after forwarding, never in its way. An HTTP response corks its socket on
 * `res.write()` and sends on the next tick, so capture work done inline (SSE framing, redaction,
 * serialisation, the disk write) sat between every upstream chunk and the client. Deferred
 * hooks run on a `process.nextTick` queued after that uncork: the bytes reach the socket first
 * and the capture follows at once, before the event loop moves on (a `kill -9` in between is the
 * only way to lose it). `requestBody` waits for the end of the turn instead (setImmediate): the
 * upstream request takes a few ticks to reach its socket, and no answer can arrive sooner.
 *
 * Two hooks stay inline, so that once a client has seen a byte of a response, the cassette
 * holds its start: `responseHead` (no body byte has left yet) and the first `responseChunk`
 * (its bytes wait for its capture, one chunk per exchange; a `kill -9` right after the client
 * read it still leaves `stream.open` and that chunk's events on disk, the stream marked
 * interrupted: test/integration/listener/capture.test.ts; the listener's writer batches its
 * lines, so `persist` writes them out after these two). Each exchange's hooks run in the
 * order they were called; `flush()` runs whatever is still queued (before the seal).
 */
import type { ExchangeRecorder } from './capture-hooks.ts';

export interface Deferrer {
  wrap(recorder: Required<ExchangeRecorder>): Required<ExchangeRecorder>;
  flush(): void;
}

type Hook = keyof ExchangeRecorder;

/** `persist` runs after each inline hook: their lines must be on disk before the bytes go. */
export function createDeferrer(persist: () => void = () => {}): Deferrer {
  const dirty = new Set<() => void>();

  return {
    flush() {
      for (const drain of dirty) drain();
    },
    wrap(rec) {
      let pending: (() => void)[] = [];
      let ticking = false;
      let turning = false;
      const drain = () => {
        dirty.delete(drain);
        // A hook may queue another (a fault reported from inside one): it runs in this pass.
        while (pending.length > 0) {
          const queued = pending;
          pending = [];
          for (const run of queued) {
            try {
              run();
            } catch {
              // guardRecorder has already turned the fault into a degraded flag: keep going.
            }
          }
        }
      };
      const onTick = () => {
        ticking = false;
        drain();
      };
      const onTurn = () => {
        turning = false;
        drain();
      };
      const call = (name: Hook, args: unknown[]) => () =>
        (rec[name] as (...a: unknown[]) => void)(...args);
      const later =
        <K extends Hook>(name: K, when: 'tick' | 'turn' = 'tick') =>
        (...args: Parameters<Required<ExchangeRecorder>[K]>) => {
          pending.push(call(name, args));
          dirty.add(drain);
          if (when === 'tick' && !ticking) {
            ticking = true;
            process.nextTick(onTick);
          } else if (when === 'turn' && !turning) {
            turning = true;
            setImmediate(onTurn);
          }
        };
      const now =
        <K extends Hook>(name: K) =>
        (...args: Parameters<Required<ExchangeRecorder>[K]>) => {
          drain();
          call(name, args)();
          persist();
        };
      const firstChunk = now('responseChunk');
      const nextChunk = later('responseChunk');
      let chunks = 0;
      return {
        requestBody: later('requestBody', 'turn'),
        responseHead: now('responseHead'),
        responseChunk: (...args) => (chunks++ === 0 ? firstChunk : nextChunk)(...args),
        responseEnd: later('responseEnd'),
        error: later('error'),
        clientFrame: later('clientFrame'),
        serverFrame: later('serverFrame'),
        closed: later('closed'),
        note: later('note'),
        source: later('source'),
      };
    },
  };
}
