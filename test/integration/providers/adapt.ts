/**
 * Runs what the fake upstream received and sent through the provider adapters, the way a front
 * door would: requestSteps on the request, createStreamCapture over the exact bytes written (or
 * the JSON body), then responseSteps.
 */
import type { ModelResponse, StepInput } from '../../../src/cassette/schema.ts';
import {
  createStreamCapture,
  decodeBody,
  requestSteps,
  responseSteps,
} from '../../../src/providers/index.ts';
import type { ReceivedRequest, SentResponse } from '../../support/fake-upstream/index.ts';

export function adapt(received: ReceivedRequest, sent: SentResponse) {
  const ctx = { correlation_id: 'sdk', offset_ms: 0 };
  const request = requestSteps(
    {
      method: received.method,
      url: received.url,
      headers: received.headers,
      body: received.bodyText ? Buffer.from(received.bodyText) : null,
      transport: received.transport,
    },
    ctx,
  );
  const route = request.route;
  if (!route) throw new Error(`no route for ${received.method} ${received.url}`);
  let steps: StepInput[];
  if (route.stream && sent.status < 400) {
    const capture = createStreamCapture(route);
    for (const chunk of sent.chunks) {
      if (sent.transport === 'websocket') capture.pushFrame(Buffer.from(chunk).toString('utf8'), 1);
      else capture.push(chunk, 1);
    }
    const result = capture.finish();
    steps = responseSteps(
      route,
      {
        status: sent.status,
        headers: sent.headers,
        stream: { format: route.streamFormat ?? 'sse', state: result.state, events: result.events },
        assembled: result.assembled,
        diagnostics: result.diagnostics,
      },
      ctx,
    );
  } else {
    const body = decodeBody(Buffer.concat(sent.chunks), sent.headers['content-type']);
    steps = responseSteps(
      route,
      { status: sent.status, headers: sent.headers, body: body.body ?? body.body_text },
      ctx,
    );
  }
  const all = [...request.steps, ...steps];
  const response = all.find((s): s is Omit<ModelResponse, 'index'> => s.type === 'model.response')!;
  return { route, steps: all, response, assembled: response.assembled! };
}
