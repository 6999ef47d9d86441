/** Small readers shared by the turn renderers: bodies are untrusted JSON of any shape. */
import type { Turn, TurnPart, TurnRole } from './types.ts';

export type JsonRecord = Record<string, unknown>;

export const isRecord = (v: unknown): v is JsonRecord =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

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

export function textPart(text: string): TurnPart {
  return { kind: 'text', text };
}
