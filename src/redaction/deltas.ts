/**
 * Where the incremental text of each provider's stream events lives. A "channel" is one growing
 * text (an output text part, one tool call's arguments, a thinking block): a secret can only be
 * split across the fragments of one channel, so that is what the stream redactor concatenates.
 */
export type Path = (string | number)[];

export interface DeltaRef {
  channel: string;
  text: string;
  path: Path;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `content`: the `compaction_delta` summary of context compaction. */
const ANTHROPIC_FIELDS = ['text', 'partial_json', 'thinking', 'content'] as const;
/** Responses hosted shell output streams as `delta: { stdout, stderr }` objects. */
const OUTPUT_FIELDS = ['stdout', 'stderr'] as const;
const CHAT_FIELDS = ['content', 'reasoning_content', 'reasoning', 'refusal'] as const;

export function deltaRefs(data: unknown): DeltaRef[] {
  if (!isObj(data)) return [];
  const out: DeltaRef[] = [];
  const type = typeof data.type === 'string' ? data.type : '';
  // OpenAI Responses (SSE and WebSocket): output_text, function_call_arguments, reasoning, ...
  if (type.startsWith('response.') && type.endsWith('.delta') && typeof data.delta === 'string') {
    const part = data.content_index ?? data.summary_index ?? '';
    out.push({
      channel: `${type}:${String(data.item_id ?? '')}:${String(data.output_index ?? '')}:${String(part)}`,
      text: data.delta,
      path: ['delta'],
    });
  }
  if (type.startsWith('response.') && type.endsWith('.delta') && isObj(data.delta)) {
    const at = `${type}:${String(data.item_id ?? '')}:${String(data.output_index ?? '')}:${String(data.command_index ?? '')}`;
    for (const f of OUTPUT_FIELDS) {
      const t = data.delta[f];
      if (typeof t === 'string') out.push({ channel: `${at}:${f}`, text: t, path: ['delta', f] });
    }
  }
  // Anthropic Messages: text_delta, input_json_delta, thinking_delta, compaction_delta.
  if (type === 'content_block_delta' && isObj(data.delta)) {
    for (const f of ANTHROPIC_FIELDS) {
      const t = data.delta[f];
      if (typeof t === 'string') {
        out.push({ channel: `anthropic:${String(data.index)}:${f}`, text: t, path: ['delta', f] });
      }
    }
  }
  if (Array.isArray(data.choices)) chatRefs(data.choices, out);
  if (Array.isArray(data.candidates)) geminiRefs(data.candidates, out);
  return out;
}

function chatRefs(choices: unknown[], out: DeltaRef[]): void {
  choices.forEach((c, ci) => {
    if (!isObj(c) || !isObj(c.delta)) return;
    const idx = String(c.index ?? ci);
    for (const f of CHAT_FIELDS) {
      const t = c.delta[f];
      if (typeof t === 'string') {
        out.push({ channel: `chat:${idx}:${f}`, text: t, path: ['choices', ci, 'delta', f] });
      }
    }
    // Mistral sends content as typed parts: `[{ type: 'text', text }]`, and its reasoning as
    // `[{ type: 'thinking', thinking: [{ type: 'text', text }] }]`.
    if (Array.isArray(c.delta.content)) {
      c.delta.content.forEach((part, pi) => {
        if (!isObj(part)) return;
        if (typeof part.text === 'string') {
          out.push({
            channel: `chat:${idx}:parts:text`,
            text: part.text,
            path: ['choices', ci, 'delta', 'content', pi, 'text'],
          });
        }
        if (!Array.isArray(part.thinking)) return;
        part.thinking.forEach((t, ti) => {
          if (!isObj(t) || typeof t.text !== 'string') return;
          out.push({
            channel: `chat:${idx}:parts:thinking`,
            text: t.text,
            path: ['choices', ci, 'delta', 'content', pi, 'thinking', ti, 'text'],
          });
        });
      });
    }
    if (!Array.isArray(c.delta.tool_calls)) return;
    c.delta.tool_calls.forEach((tc, ti) => {
      if (!isObj(tc) || !isObj(tc.function) || typeof tc.function.arguments !== 'string') return;
      out.push({
        channel: `chat:${idx}:tool:${String(tc.index ?? ti)}`,
        text: tc.function.arguments,
        path: ['choices', ci, 'delta', 'tool_calls', ti, 'function', 'arguments'],
      });
    });
  });
}

function geminiRefs(candidates: unknown[], out: DeltaRef[]): void {
  candidates.forEach((c, ci) => {
    if (!isObj(c) || !isObj(c.content) || !Array.isArray(c.content.parts)) return;
    const idx = String(c.index ?? ci);
    c.content.parts.forEach((p, pi) => {
      if (!isObj(p)) return;
      if (typeof p.text === 'string') {
        out.push({
          channel: `gemini:${idx}:${p.thought === true ? 'thought' : 'text'}`,
          text: p.text,
          path: ['candidates', ci, 'content', 'parts', pi, 'text'],
        });
      }
      // Gemini 3 / Vertex stream function-call arguments: each string value arrives in pieces
      // under its JSON path, `willContinue` until the last one (issue 14).
      const call = p.functionCall;
      if (!isObj(call) || !Array.isArray(call.partialArgs)) return;
      call.partialArgs.forEach((a, ai) => {
        if (!isObj(a) || typeof a.stringValue !== 'string') return;
        out.push({
          channel: `gemini:${idx}:args:${String(a.jsonPath ?? '')}`,
          text: a.stringValue,
          path: [
            'candidates',
            ci,
            'content',
            'parts',
            pi,
            'functionCall',
            'partialArgs',
            ai,
            'stringValue',
          ],
        });
      });
    });
  });
}

/**
 * Channels that this event says are finished (their held-back text can be released early):
 * Responses `*.done` for an item, Anthropic `content_block_stop`, a Chat `finish_reason`, a Gemini
 * `finishReason`. Returns channel-key prefixes/infixes to match.
 */
export function closedChannels(data: unknown): (channel: string) => boolean {
  if (!isObj(data)) return () => false;
  const type = typeof data.type === 'string' ? data.type : '';
  if (type.startsWith('response.') && type.endsWith('.done') && typeof data.item_id === 'string') {
    const id = `:${data.item_id}:`;
    return (ch) => ch.includes(id);
  }
  if (type === 'content_block_stop')
    return (ch) => ch.startsWith(`anthropic:${String(data.index)}:`);
  const done: string[] = [];
  if (Array.isArray(data.choices)) {
    data.choices.forEach((c, i) => {
      if (isObj(c) && c.finish_reason) done.push(`chat:${String(c.index ?? i)}:`);
    });
  }
  if (Array.isArray(data.candidates)) {
    data.candidates.forEach((c, i) => {
      if (!isObj(c)) return;
      if (c.finishReason) done.push(`gemini:${String(c.index ?? i)}:`);
      for (const path of finishedArgs(c)) done.push(`gemini:${String(c.index ?? i)}:args:${path}`);
    });
  }
  return (ch) => done.some((p) => ch.startsWith(p));
}

/** JSON paths of streamed Gemini arguments whose last piece this candidate carries. */
function finishedArgs(c: Obj): string[] {
  if (!isObj(c.content) || !Array.isArray(c.content.parts)) return [];
  return c.content.parts.flatMap((p) => {
    if (!isObj(p) || !isObj(p.functionCall) || !Array.isArray(p.functionCall.partialArgs))
      return [];
    return p.functionCall.partialArgs
      .filter((a) => isObj(a) && a.willContinue !== true)
      .map((a) => String((a as Obj).jsonPath ?? ''));
  });
}

/** Writes `value` at `path` in a structure produced by the redactor's deep copy. */
export function setAt(root: unknown, path: Path, value: string): void {
  let cur = root as Obj;
  for (let i = 0; i < path.length - 1; i++) cur = cur[path[i] as string] as Obj;
  cur[path[path.length - 1] as string] = value;
}
