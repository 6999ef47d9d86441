/** Assembly through the route's provider module: a stream's assembler, a JSON body's assembly. */
import type { Assembled, StreamEvent, StreamState } from '../cassette/schema.ts';
import { type Assembler, type AssemblyResult, toAssembled } from './assembler.ts';
import type { RouteInfo } from './module.ts';
import { providerModule } from './registry.ts';

export function createAssembler(route: RouteInfo): Assembler {
  return providerModule(route.provider)?.createAssembler(route) ?? passthroughAssembler();
}

/** Routes that never stream (models, embeddings...) still get a capture that keeps their events. */
function passthroughAssembler(): Assembler {
  return {
    done: false,
    add() {},
    finish(aborted) {
      const assembled = toAssembled({ text: '', reasoning: '', tool_calls: [] });
      return { state: aborted ? 'interrupted' : 'completed', assembled, diagnostics: [] };
    },
  };
}

/** The assembled result of a non-streamed JSON body, for the routes that produce model output. */
export function assembleBody(route: RouteInfo, body: unknown): Assembled | undefined {
  return providerModule(route.provider)?.assembleBody(route, body);
}

/** Re-run assembly over recorded events (a stored stream, or a replay). */
export function assembleEvents(
  route: RouteInfo,
  events: readonly StreamEvent[],
  state?: StreamState,
): AssemblyResult {
  const assembler = createAssembler(route);
  events.forEach((ev, index) => {
    assembler.add(ev.data, ev.event, index);
  });
  return assembler.finish(state === 'interrupted');
}
