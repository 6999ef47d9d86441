/**
 * undici's global dispatcher while any `record()` scope is active: each fetch call goes to the
 * scope it belongs to (capture/scopes.ts), recorded or answered there; calls outside every scope
 * follow the scopes' rule. Installed with the first active scope, removed with the last.
 */
import { recordDispatch } from './fetch-record.ts';
import { installGlobalDispatch, type RouteAnswer, routeDispatch } from './fetch-route.ts';
import { processWide } from './process-wide.ts';
import { currentScope, OUTSIDE, outsideAnswer } from './scopes.ts';

// Per process (process-wide.ts): Jest evaluates this module once per test file.
const state = processWide('capture.scope-route', () => ({
  users: 0,
  uninstall: null as (() => void) | null,
}));

/** Puts the scope route in front of the global dispatcher; returns the function that releases it. */
export function useScopeRoute(): () => void {
  if (state.users++ === 0) {
    state.uninstall = installGlobalDispatch((original, options, handler) => {
      const scope = currentScope();
      if (scope === OUTSIDE) return routeDispatch(original, answerOutside, options, handler);
      if (typeof scope === 'symbol') return original.dispatch(options, handler);
      if (scope?.dispatch) return scope.dispatch(original, options, handler);
      if (scope?.recorder) return recordDispatch(original, scope.recorder, options, handler);
      if (scope?.answer) return routeDispatch(original, scope.answer, options, handler);
      original.dispatch(options, handler);
    });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--state.users === 0) {
      state.uninstall?.();
      state.uninstall = null;
    }
  };
}

const answerOutside: RouteAnswer = async (raw) => outsideAnswer(await raw);
