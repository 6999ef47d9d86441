/**
 * Ties ingested agent steps to the model steps of the same session, when those were captured too
 * (by the listener, or in a cassette given to `replaypack ingest --with`). Each model exchange's
 * session comes from the agent's own request headers (Codex `thread-id`/`session-id`, Claude Code
 * `x-claude-code-session-id`); inside a session the keys are, most specific first, the model's
 * tool call id, the upstream request id, then the exact text or tool output.
 */
import type { Step, StepInput } from '../cassette/schema.ts';
import type { Link } from './types.ts';
import { textOf } from './util.ts';

const SESSION_HEADERS = ['thread-id', 'session-id', 'x-claude-code-session-id'];

interface Found {
  correlation_id: string;
  text: string;
  used: boolean;
}

export class ModelStepIndex {
  readonly #session = new Map<string, string>();
  readonly #callRequest = new Map<string, string>();
  readonly #callResponse = new Map<string, string>();
  readonly #requestIds = new Map<string, string>();
  readonly #texts: Found[] = [];
  readonly #outputs: Found[] = [];

  /** Feeds one captured step (any type; only model and tool steps are indexed). */
  add(step: Step | StepInput): void {
    const corr = step.correlation_id;
    switch (step.type) {
      case 'model.request': {
        for (const name of SESSION_HEADERS) {
          const value = step.headers[name];
          if (value) {
            this.#session.set(corr, value);
            break;
          }
        }
        return;
      }
      case 'model.response': {
        if (step.request_id) this.#requestIds.set(step.request_id, corr);
        const text = step.assembled?.text.trim();
        if (text) this.#texts.push({ correlation_id: corr, text, used: false });
        return;
      }
      case 'tool.request':
        if (step.call_id) this.#callRequest.set(step.call_id, corr);
        return;
      case 'tool.response': {
        if (step.call_id) this.#callResponse.set(step.call_id, corr);
        const text = textOf(step.output).trim();
        if (text) this.#outputs.push({ correlation_id: corr, text, used: false });
        return;
      }
      default:
    }
  }

  /** Sessions seen in captured requests (for reports). */
  sessions(): Set<string> {
    return new Set(this.#session.values());
  }

  /** The captured exchange this ingested step belongs to, if one is found in its session. */
  find(session: string | null, type: StepInput['type'], link: Link | undefined): string | null {
    if (!link) return null;
    const inSession = (corr: string | undefined): corr is string => {
      if (corr === undefined) return false;
      const owner = this.#session.get(corr);
      return session === null || owner === undefined || owner === session;
    };
    const byCall =
      link.call_id == null
        ? undefined
        : type === 'tool.request'
          ? this.#callRequest.get(link.call_id)
          : this.#callResponse.get(link.call_id);
    if (inSession(byCall)) return byCall;
    const byRequest = link.request_id ? this.#requestIds.get(link.request_id) : undefined;
    if (inSession(byRequest)) return byRequest;
    const pick = (list: Found[], wanted: string, contains: boolean) => {
      const hit = list.find(
        (f) =>
          !f.used &&
          inSession(f.correlation_id) &&
          (contains ? f.text.includes(wanted) : f.text === wanted),
      );
      if (!hit) return null;
      hit.used = true;
      return hit.correlation_id;
    };
    if (link.text?.trim()) return pick(this.#texts, link.text.trim(), false);
    // A tool's output is embedded in what the agent sent back (wrapped in its own framing).
    if (link.output) return pick(this.#outputs, link.output, true);
    return null;
  }
}
