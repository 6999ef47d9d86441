/**
 * Replay mode for a WebSocket opened inside the process: the handshake is answered here (nothing
 * is dialled), and each client message is matched like any request and answered with its
 * recorded frames, one text frame per recorded event, as the listener's replay mode does
 * (listener/local-modes.ts). A miss is an `error` frame carrying the divergence report, the way
 * the Responses WebSocket reports a failed request; the recording's stop() reports it too.
 */
import type { Duplex } from 'node:stream';
import type { RawRequest } from '../pipeline/exchange.ts';
import { dropped } from '../replay/serve.ts';
import type { TurnAnswer } from './replayer.ts';
import { ClientSocket, offeredProtocols, switchingProtocols } from './websocket.ts';

export function replayWebSocket(
  request: Request,
  raw: RawRequest,
  socket: Duplex,
  turn: (raw: RawRequest) => Promise<TurnAnswer>,
  respondWith: (response: Response) => void,
): ClientSocket {
  respondWith(switchingProtocols(request, offeredProtocols(request)[0]));
  const client = new ClientSocket(socket, {
    message(data) {
      // Answers go out in the order the messages came: turns are taken one after another.
      void turn({ ...raw, body: data, transport: 'websocket' }).then((answer) => {
        if (answer.kind === 'drop') return client.terminate();
        for (const frame of answer.frames) client.sendText(frame);
        // As a dropped connection does: its close comes after the data already sent.
        if (answer.interrupted) void dropped().then(() => client.terminate());
      });
    },
    close() {},
  });
  return client;
}
