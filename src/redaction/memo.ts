/**
 * Remembers the findings for short strings. Captured traffic repeats the same short strings on
 * every event and every exchange (JSON keys such as `finish_reason`, object types, model names,
 * ids, header values), and running every detector over each of them again was the largest
 * single cost of capturing a stream. Findings depend only on the text (the detector set is
 * fixed per redactor), so a remembered answer is the same answer. Bounded: the table is dropped
 * when full, so memory stays flat whatever the traffic.
 */
import type { Finding } from './detectors.ts';
import type { Detect } from './scrub.ts';

const MAX_LENGTH = 128;
const MAX_ENTRIES = 4096;

/** `detect`, answering repeated short strings from a table. Callers must not mutate findings. */
export function memoDetect(detect: Detect): Detect {
  let memo = new Map<string, Finding[]>();
  return (text) => {
    if (text.length > MAX_LENGTH) return detect(text);
    let found = memo.get(text);
    if (found === undefined) {
      found = detect(text);
      if (memo.size >= MAX_ENTRIES) memo = new Map();
      memo.set(text, found);
    }
    return found;
  };
}
