/**
 * AWS Bedrock Runtime (`@aws-sdk/client-bedrock-runtime`): Converse, ConverseStream, InvokeModel
 * and InvokeModelWithResponseStream. Streams are AWS binary event streams (eventstream.ts); the
 * SigV4 headers change on every request and sign it with the caller's key, so they are volatile
 * and the signature (`authorization`) and session token are redacted.
 */
import type { ProviderModule, StreamCodec } from '../module.ts';
import { headerOf } from '../util.ts';
import {
  assembleConverseBody,
  assembleInvokeBody,
  createConverseAssembler,
  createInvokeStreamAssembler,
} from './assemble.ts';
import { createEventstreamFramer, encodeEventstreamEvent } from './eventstream.ts';
import { detectBedrock, ROUTES } from './routes.ts';
import { bedrockStatusError } from './status-errors.ts';
import { bedrockSynthetic } from './synthetic.ts';
import { bedrockResults } from './tools.ts';
import { bedrockTurns } from './turns.ts';

const EVENTSTREAM: StreamCodec = {
  format: 'eventstream',
  named: true,
  exact: true,
  framer: createEventstreamFramer,
  *wire(stream) {
    for (const ev of stream.events) yield encodeEventstreamEvent(ev);
  },
  matches: (contentType, _route, status) =>
    status < 400 && contentType.toLowerCase().includes('application/vnd.amazon.eventstream'),
};

const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'eu-central-1',
  'eu-west-1',
  'eu-west-3',
  'ap-northeast-1',
  'ap-southeast-2',
];

const bedrock: ProviderModule = {
  name: 'bedrock',
  detect: detectBedrock,
  routes: ROUTES,
  hosts: REGIONS.map((r) => `bedrock-runtime.${r}.amazonaws.com`),
  sentBySdk: (headers) => /api\/bedrock-runtime#/i.test(headerOf(headers, 'user-agent') ?? ''),

  upstream: 'https://bedrock-runtime.us-east-1.amazonaws.com',
  expectsErrorShape: (url) => url.startsWith('/model/'),
  // The AWS SDK's service-specific endpoint variable (SDK v3 reads it, like AWS_ENDPOINT_URL).
  routingEnv: (url) => ({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url }),

  requestId: (headers) => headerOf(headers, 'x-amzn-requestid') ?? null,
  toolResults: bedrockResults,
  assembleBody: (route, body) =>
    route.endpoint === 'converse' ? assembleConverseBody(body) : assembleInvokeBody(body),
  createAssembler: (route) =>
    route.endpoint === 'converse-stream'
      ? createConverseAssembler()
      : createInvokeStreamAssembler(),
  streamCodecs: [EVENTSTREAM],

  volatile: {
    request: [],
    // `p` pads each stream event to hide token sizes: its length differs per run.
    response: ['p', 'bytes.p', 'metrics.latencyMs'],
    headers: [
      /^(x-amz-date|x-amz-content-sha256|x-amz-user-agent|amz-sdk-invocation-id|amz-sdk-request)$/,
      /^x-amzn-(requestid|trace-id)$/,
      /^x-amzn-bedrock-/,
    ],
  },
  redaction: {
    keepHeaders: [/^x-amzn-/, /^x-amz-(date|content-sha256|user-agent|target)$/],
    blobFields: ['system', 'toolConfig', 'tools'],
    secretHeaders: [/^x-amz-security-token$/],
  },

  errorBody: (info) => ({ message: info.message }),
  statusError: bedrockStatusError,
  synthetic: bedrockSynthetic,
  turns: bedrockTurns,
};

export default bedrock;
