/**
 * A WebSocket handshake recorded without a turn: a `GET` upgrade request with no frame. Before
 * in-process WebSocket capture, the recorder wrote these for every socket (issue 13: two `101`
 * handshakes, no events), and a self-replay reproduced them faithfully, so parity and `assert`
 * passed on a cassette that held nothing. Such an exchange is a divergence in its own right.
 */
import type { Step } from '../cassette/schema.ts';
import type { DivergenceDetails } from './divergence.ts';

export function bareHandshakes(cassette: string, steps: readonly Step[]): DivergenceDetails[] {
  const found: DivergenceDetails[] = [];
  let exchange = -1;
  for (const step of steps) {
    if (step.type !== 'model.request') continue;
    exchange++;
    const upgrade = step.headers?.upgrade?.toLowerCase() === 'websocket';
    const frameless = step.body === undefined || step.body === null;
    if (step.method === 'GET' && frameless && (upgrade || step.transport === 'websocket')) {
      found.push({
        kind: 'handshake',
        cassette,
        exchange,
        provider: step.provider,
        endpoint: step.endpoint,
        closest: { method: step.method, url: step.url, compared: null },
      });
    }
  }
  return found;
}
