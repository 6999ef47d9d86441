/** Bedrock Runtime: `POST /model/{modelId}/{converse,converse-stream,invoke,invoke-with-response-stream}`. */
import type { RouteInfo, RouteRequest, UrlParts } from '../module.ts';

const PATH = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/;

export const ROUTES = [
  'POST /model/{modelId}/converse',
  'POST /model/{modelId}/converse-stream',
  'POST /model/{modelId}/invoke',
  'POST /model/{modelId}/invoke-with-response-stream',
];

export function detectBedrock(req: RouteRequest, { path }: UrlParts): RouteInfo | null {
  if (req.method.toUpperCase() !== 'POST') return null;
  const match = PATH.exec(path);
  if (!match) return null;
  const endpoint = match[2]!;
  // The operation, not the body, says whether it streams.
  const stream = endpoint.endsWith('-stream');
  return {
    provider: 'bedrock',
    endpoint,
    model: decodeURIComponent(match[1]!),
    stream,
    streamFormat: stream ? 'eventstream' : null,
  };
}
