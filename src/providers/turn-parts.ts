/** Helpers the provider modules' turn renderers share (bodies are untrusted JSON of any shape). */
import type { Turn, TurnPart, TurnRole } from './turns.ts';

/** Tool arguments arrive as a JSON string on some wires: shown parsed when they parse. */
export function parsedArguments(value: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Appends parts to the last turn when it has the same role (one turn per speaker change). */
export function push(turns: Turn[], role: TurnRole, parts: TurnPart[]): void {
  if (parts.length === 0) return;
  const last = turns.at(-1);
  if (last && last.role === role) last.parts.push(...parts);
  else turns.push({ role, parts });
}
