/**
 * The bounded wait after a provider's terminal event (issue 14 item 3). The terminal event is not
 * the end of a stream: OpenAI sends `error` and then `response.failed`, and everything up to the
 * server closing is kept. A server that keeps the connection alive after its terminal event never
 * closes the response, so once the terminal event was seen, a quiet spell this long ends the
 * exchange cleanly; every later chunk starts the spell again.
 */
export const TERMINAL_GRACE_MS = 500;

export interface TerminalGrace {
  /** (Re)starts the quiet spell: called after every chunk once the terminal event was seen. */
  arm(): void;
  cancel(): void;
}

export function afterTerminal(onQuiet: () => void, ms = TERMINAL_GRACE_MS): TerminalGrace {
  let timer: NodeJS.Timeout | undefined;
  return {
    arm() {
      clearTimeout(timer);
      timer = setTimeout(onQuiet, ms);
      // A recording never keeps the process alive on its own.
      timer.unref();
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
