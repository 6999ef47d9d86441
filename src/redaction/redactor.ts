/**
 * The one redaction policy, used by every front door (SDK capture, listener, ingestion) and by
 * loggers and error messages. On by default; `capture: 'full'` only turns minimisation off,
 * never secret redaction.
 */
import type {
  McpMessage,
  MultipartBody,
  RunHeader,
  StepInput,
  StreamEvent,
} from '../cassette/schema.ts';
import { detectAgent } from '../providers/agents.ts';
import { createDetector } from './detectors.ts';
import { minimizeHeaders } from './headers.ts';
import { ORG_HEADERS, SECRET_HEADERS } from './keys.ts';
import { memoDetect } from './memo.ts';
import { minimize } from './minimize.ts';
import { scrubHeaders, scrubText, scrubUrl, scrubValue } from './scrub.ts';
import { createStreamRedactor, type StreamOptions, type StreamRedactor } from './stream.ts';

export type CaptureMode = 'minimal' | 'full';

export interface RedactorOptions {
  /** Emails, phone numbers and card numbers. Default true. */
  pii?: boolean;
  /** `full` keeps bodies and headers whole (secrets are still redacted). Default `minimal`. */
  capture?: CaptureMode;
  /** Whose `*KEY`/`*TOKEN`/`*SECRET`/`*PASSWORD` values to redact. Default process.env. */
  env?: Record<string, string | undefined>;
  /** More header names to redact, on top of authorization, x-api-key, cookie and the rest. */
  extraHeaders?: string[];
  /** Redact organisation and project id headers (`openai-organization`, ...). Default true. */
  redactOrgIds?: boolean;
}

export type RedactionPolicy = RunHeader['redaction'];

export const CAPTURE_FULL_WARNING =
  'capture=full: request bodies and headers are stored unminimised (instructions, tool definitions, workspace paths); secrets are still redacted. Review the cassette before committing it.';

export interface Redactor {
  readonly policy: RedactionPolicy;
  headers(h: Record<string, string>): Record<string, string>;
  url(pathAndQuery: string): string;
  text(s: string): string;
  value<T>(json: T): T;
  step<T extends StepInput>(step: T): T;
  stream(options?: StreamOptions): StreamRedactor;
}

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const pii = options.pii ?? true;
  const capture = options.capture ?? 'minimal';
  const detect = memoDetect(createDetector({ pii, env: options.env ?? process.env }));
  const secretHeaders = new Set(
    [
      ...SECRET_HEADERS,
      ...(options.redactOrgIds === false ? [] : ORG_HEADERS),
      ...(options.extraHeaders ?? []),
    ].map((h) => h.toLowerCase()),
  );
  const policy: RedactionPolicy =
    capture === 'full'
      ? { policy: 'full', pii, warning: CAPTURE_FULL_WARNING }
      : { policy: 'default', pii };

  const text = (s: string) => scrubText(detect, s);
  const value = <T>(v: T): T => scrubValue(detect, v) as T;
  const headers = (h: Record<string, string>) => scrubHeaders(detect, h, secretHeaders);
  const url = (u: string) => scrubUrl(detect, u);
  const stream = (o?: StreamOptions) => createStreamRedactor(detect, value, o);

  function stepHeaders(provider: string, h: Record<string, string>) {
    return headers(capture === 'minimal' ? minimizeHeaders(provider, h) : h);
  }

  type Bodies = { body?: unknown; body_text?: string; body_multipart?: MultipartBody };
  function body<T extends Bodies>(s: T): Partial<T> {
    const out: Bodies = {};
    if (s.body !== undefined) out.body = value(s.body);
    if (s.body_text !== undefined) out.body_text = text(s.body_text);
    // Multipart text fields and header lines (file names) are text like any other; binary parts
    // are left as they are, as `body_base64` is.
    if (s.body_multipart !== undefined) {
      out.body_multipart = {
        ...s.body_multipart,
        parts: s.body_multipart.parts.map((part) => ({
          ...part,
          headers: part.headers.map(text),
          ...(part.body_text === undefined ? {} : { body_text: text(part.body_text) }),
        })),
      };
    }
    return out as Partial<T>;
  }

  function step<T extends StepInput>(s: T): T {
    // One switch, every field that can carry user or provider text: a new field added to the
    // schema must be added here (test/unit/redaction/step.test.ts plants a secret in each).
    const x = s as StepInput;
    switch (x.type) {
      case 'model.request': {
        const out = {
          ...x,
          ...body(x),
          url: url(x.url),
          headers: stepHeaders(x.provider, x.headers),
        };
        if (capture === 'minimal' && out.body !== undefined) {
          // An agent's prompt blobs keep the hash of their normalised text (issue 17), found
          // with the paths and ids of this very request.
          const normalizeText = detectAgent(x)?.text({ headers: x.headers, body: out.body });
          out.body = minimize(x.provider, x.endpoint, out.body, { normalizeText });
        }
        return out as T;
      }
      case 'model.response': {
        const out = { ...x, ...body(x), headers: stepHeaders(x.provider, x.headers) };
        if (x.stream) out.stream = { ...x.stream, events: redactEvents(x.stream.events) };
        if (x.assembled) out.assembled = value(x.assembled);
        if (x.diagnostics) out.diagnostics = value(x.diagnostics);
        return out as T;
      }
      case 'tool.request':
        return { ...x, arguments: value(x.arguments), ...mcp(x) } as T;
      case 'tool.response':
        return { ...x, output: value(x.output), ...mcp(x) } as T;
      case 'error.event':
        // A capture fault names the request URL it failed on, query string included.
        return {
          ...x,
          endpoint: url(x.endpoint),
          message: text(x.message),
          detail: value(x.detail),
        } as T;
      case 'agent.event':
        return { ...x, event: value(x.event), ...mcp(x) } as T;
      default:
        return value(x) as T;
    }
  }

  /** MCP steps name their server, method and JSON-RPC id: text like any other. */
  function mcp(x: { mcp?: McpMessage }): { mcp?: McpMessage } {
    return x.mcp ? { mcp: value(x.mcp) } : {};
  }

  function redactEvents(events: StreamEvent[]): StreamEvent[] {
    const r = stream();
    return [...events.flatMap((e) => r.push(e)), ...r.flush()];
  }

  return { policy, headers, url, text, value, step, stream };
}
