/** A Responses `reasoning` item with a streamed summary (what reasoning models send first). */
import type { Ids } from './ids.ts';
import { obfuscation, splitWords } from './text.ts';

type Pair = [string, Record<string, unknown>];

export function reasoningOutput(
  text: string,
  outputIndex: number,
  ids: Ids,
): { item: Record<string, unknown>; events: Pair[] } {
  const id = ids.next('rs');
  const where = { item_id: id, output_index: outputIndex, summary_index: 0 };
  const part = { type: 'summary_text', text: '' };
  const events: Pair[] = [
    [
      'response.output_item.added',
      { output_index: outputIndex, item: { id, type: 'reasoning', summary: [] } },
    ],
    ['response.reasoning_summary_part.added', { ...where, part }],
  ];
  for (const delta of splitWords(text)) {
    events.push([
      'response.reasoning_summary_text.delta',
      { ...where, delta, obfuscation: obfuscation(delta) },
    ]);
  }
  events.push(['response.reasoning_summary_text.done', { ...where, text }]);
  events.push(['response.reasoning_summary_part.done', { ...where, part: { ...part, text } }]);
  const item = { id, type: 'reasoning', summary: [{ ...part, text }] };
  events.push(['response.output_item.done', { output_index: outputIndex, item }]);
  return { item, events };
}
