/** Usage read off cassette steps: each response's `assembled.usage`, priced by its model. */
import type { Step } from '../cassette/schema.ts';
import type { UsageTally } from './cost.ts';

/** Feeds a tally one step at a time (a cassette is streamed, never held whole). */
export function stepUsageCounter(tally: UsageTally): (step: Step) => void {
  // The request's model, for responses whose body does not name one (Gemini's often do not).
  const requested = new Map<string, string>();
  return (step) => {
    if (step.type === 'model.request') {
      if (step.model) requested.set(step.correlation_id, step.model);
    } else if (step.type === 'model.response' && step.assembled?.usage) {
      const model = step.assembled.model ?? requested.get(step.correlation_id) ?? null;
      tally.add(step.provider, model, step.assembled.usage);
      requested.delete(step.correlation_id);
    }
  };
}
