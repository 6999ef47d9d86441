/**
 * A request's conversation as a person reads it: turns by role, each a list of parts. Provider
 * modules render their own bodies into this shape (issue 19 depends on 16: "a module renders its
 * own conversation turns"), so the viewer and the diff know no wire format.
 */
export type TurnRole = 'system' | 'user' | 'assistant' | 'tool';

export type TurnPart =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string }
  | { kind: 'tool_call'; id: string | null; name: string; arguments: unknown }
  | {
      kind: 'tool_result';
      id: string | null;
      name: string | null;
      output: unknown;
      is_error?: boolean;
    }
  /** Anything else the body carries (images, files, provider items): shown as labelled JSON. */
  | { kind: 'data'; label: string; value: unknown };

export interface Turn {
  role: TurnRole;
  parts: TurnPart[];
}

/** Renders a request body into turns; unknown shapes become `data` parts. */
export type RenderTurns = (body: unknown) => Turn[];
