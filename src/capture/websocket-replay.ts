/**
 * Replay mode for a WebSocket opened inside the process: the handshake is answered here (nothing
 * is dialled), and each client message is matched like any request and answered with its
 * recorded frames, one text frame per recorded event, as the listener's replay mode does
 * (listener/local-modes.ts). A miss is an `error` frame carrying the divergence report, the way
 * the Responses WebSocket reports a failed request; the recording's stop() reports it too.
 */
import type { Duplex } from 'node:stream';
import type { RawRequest } from '../pipeline/exchange.ts';
import { delay, dropped } from '../replay/serve.ts';
import { ClientSocket } from './client-socket.ts';
import type { TurnAnswer } from './replayer.ts';
import { offeredProtocols, switchingProtocols } from './websocket.ts';

export function replayWebSocket(
  request: Request,
  raw: RawRequest,
  socket: Duplex,
  turn: (raw: RawRequest) => Promise<TurnAnswer>,
  respondWith: (response: Response) => void,
): ClientSocket {
  respondWith(switchingProtocols(request, offeredProtocols(request)[0]));
  const send = async (answer: TurnAnswer) => {
    if (answer.kind === 'drop') return client.terminate();
    for (const [i, frame] of answer.frames.entries()) {
      const wait = answer.waits?.[i] ?? 0;
      if (wait > 0) await delay(wait);
      client.sendText(frame);
    }
    // As a dropped connection does: its close comes after the data already sent.
    if (answer.interrupted) await dropped().then(() => client.terminate());
  };
  // Turns are answered one after another, and their frames go out in that order too (a paced
  // answer must not let the next turn's frames overtake it).
  let sending: Promise<void> = Promise.resolve();
  const client = new ClientSocket(socket, {
    message(data) {
      const answered = turn({ ...raw, body: data, transport: 'websocket' });
      sending = Promise.all([answered, sending]).then(([answer]) => send(answer));
    },
    close() {},
  });
  return client;
}
