/** Splitting text and arguments into deltas, and deterministic token counts. */

/** Words with their leading whitespace: joining the pieces gives back the text exactly. */
export function splitWords(text: string): string[] {
  if (text === '') return [];
  const pieces = text.match(/\s*\S+/g) ?? [text];
  const joined = pieces.join('');
  // Trailing whitespace is not matched by the pattern: keep it on the last piece.
  if (joined.length < text.length) pieces[pieces.length - 1] += text.slice(joined.length);
  return pieces.length > 0 ? pieces : [text];
}

/** Cuts a string into `parts` pieces of near-equal length (fewer if it is shorter). */
export function splitInto(text: string, parts = 3): string[] {
  if (text === '') return [];
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** A rough, deterministic token count: about four characters per token, at least one. */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export function argumentsText(args: Record<string, unknown> | string): string {
  return typeof args === 'string' ? args : JSON.stringify(args);
}

export function argumentsObject(args: Record<string, unknown> | string): Record<string, unknown> {
  if (typeof args !== 'string') return args;
  try {
    const parsed: unknown = JSON.parse(args);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return { input: args };
  }
}

/** Stand-in for OpenAI's random `obfuscation` padding: deterministic, varying with the delta. */
export function obfuscation(delta: string): string {
  return 'xYzAbCdEfGhIjKlM'.slice(0, Math.max(1, 16 - (delta.length % 16)));
}
