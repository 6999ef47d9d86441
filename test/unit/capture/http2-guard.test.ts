/**
 * Which node:http2 requests a recording refuses (issue 21): provider traffic by the same signs as
 * opaque exchanges, plus Bedrock Runtime's routes; everything else is sent. The integration tests
 * (test/integration/capture/http2-providers.test.ts) prove the refusal reaches the client at once.
 */
import { expect, test } from 'vitest';
import { refuseProviderTraffic } from '../../../src/capture/http2-route.ts';

const refused = (headers: Record<string, string>, origin: string) =>
  refuseProviderTraffic(headers, origin)?.message ?? null;

test.each([
  [
    'a modelled route on any host',
    { ':method': 'POST', ':path': '/v1/chat/completions' },
    'https://127.0.0.1:8443',
  ],
  [
    'a provider host, any path',
    { ':method': 'POST', ':path': '/v1/files' },
    'https://api.openai.com',
  ],
  [
    'a provider SDK, any host',
    { ':method': 'GET', ':path': '/x', 'anthropic-version': '2023-06-01' },
    'https://proxy.example',
  ],
  [
    'Bedrock Converse',
    { ':method': 'POST', ':path': '/model/anthropic.claude-3-haiku/converse' },
    'https://bedrock-runtime.us-east-1.amazonaws.com',
  ],
  [
    'Bedrock streaming Invoke',
    { ':method': 'POST', ':path': '/model/m/invoke-with-response-stream' },
    'https://127.0.0.1:1',
  ],
])('refuses %s', (_name, headers, origin) => {
  expect(refused(headers, origin)).toBe(
    `[replaykit] Failed to capture "${headers[':method']} ${origin}${headers[':path']}": it went over HTTP/2 (node:http2), which replaykit does not record or replay, so it was stopped rather than sent unseen. Make the client use HTTP/1.1 (AWS SDK: requestHandler: new NodeHttpHandler() from @smithy/node-http-handler; fetch: a dispatcher without allowH2).`,
  );
});

test.each([
  [
    'a gRPC call',
    { ':method': 'POST', ':path': '/replaykit.test.Echo/Echo', 'content-type': 'application/grpc' },
    'http://127.0.0.1:50051',
  ],
  ['a plain GET elsewhere', { ':method': 'GET', ':path': '/health' }, 'https://example.internal'],
  [
    'Bedrock control-plane paths',
    { ':method': 'GET', ':path': '/foundation-models' },
    'https://127.0.0.1:1',
  ],
])('sends %s', (_name, headers, origin) => {
  expect(refused(headers, origin)).toBeNull();
});
