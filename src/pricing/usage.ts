/**
 * A response's `usage` block in one shape. Each provider counts cached prompt tokens differently
 * (OpenAI and Gemini inside the input count, Anthropic beside it), so the four counts here are
 * disjoint: `input` is only the prompt tokens billed at the full input price.
 */

export interface TokenCounts {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
}

export const ZERO_TOKENS: TokenCounts = { input: 0, cachedInput: 0, cacheWrite: 0, output: 0 };

const num = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
const rec = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/**
 * Reads the fields, not the provider name: OpenAI-compatible servers (Azure, Ollama, gateways)
 * send OpenAI's field names whatever the provider is called.
 */
export function tokensOf(usage: unknown): TokenCounts | null {
  const u = rec(usage);
  if ('promptTokenCount' in u || 'candidatesTokenCount' in u) {
    // Gemini: cached content is part of the prompt count; thinking tokens bill as output.
    const cached = num(u.cachedContentTokenCount);
    const prompt = num(u.promptTokenCount) + num(u.toolUsePromptTokenCount);
    return {
      input: Math.max(0, prompt - cached),
      cachedInput: cached,
      cacheWrite: 0,
      output: num(u.candidatesTokenCount) + num(u.thoughtsTokenCount),
    };
  }
  if ('prompt_tokens' in u || 'completion_tokens' in u) {
    // OpenAI Chat Completions (and compatible servers).
    const cached = num(rec(u.prompt_tokens_details).cached_tokens);
    return {
      input: Math.max(0, num(u.prompt_tokens) - cached),
      cachedInput: cached,
      cacheWrite: 0,
      output: num(u.completion_tokens),
    };
  }
  if ('input_tokens' in u || 'output_tokens' in u) {
    if (!('input_tokens_details' in u || 'total_tokens' in u)) {
      // Anthropic: cache reads and writes are counted apart from input_tokens.
      return {
        input: num(u.input_tokens),
        cachedInput: num(u.cache_read_input_tokens),
        cacheWrite: num(u.cache_creation_input_tokens),
        output: num(u.output_tokens),
      };
    }
    // OpenAI Responses: cached tokens are part of input_tokens.
    const cached = num(rec(u.input_tokens_details).cached_tokens);
    return {
      input: Math.max(0, num(u.input_tokens) - cached),
      cachedInput: cached,
      cacheWrite: 0,
      output: num(u.output_tokens),
    };
  }
  if ('inputTokens' in u || 'outputTokens' in u) {
    // Bedrock Converse: cache reads and writes are counted apart from inputTokens.
    return {
      input: num(u.inputTokens),
      cachedInput: num(u.cacheReadInputTokens),
      cacheWrite: num(u.cacheWriteInputTokens),
      output: num(u.outputTokens),
    };
  }
  if ('prompt_eval_count' in u || 'eval_count' in u) {
    // Ollama's native API: no cache counts.
    return { ...ZERO_TOKENS, input: num(u.prompt_eval_count), output: num(u.eval_count) };
  }
  return null;
}

export function addTokens(a: TokenCounts, b: TokenCounts): TokenCounts {
  return {
    input: a.input + b.input,
    cachedInput: a.cachedInput + b.cachedInput,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    output: a.output + b.output,
  };
}

export const totalTokens = (t: TokenCounts): number =>
  t.input + t.cachedInput + t.cacheWrite + t.output;
