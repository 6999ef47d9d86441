/**
 * Line-by-line scanning of artifacts and logs with the redaction detectors. A finding carries
 * the file, the line and the detector: never the text, so reporting one cannot leak it.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ScanFinding {
  file: string;
  line: number;
  detector: string;
  /** PII only: what kind of value matched (`e-mail address at a .com domain`), never the value. */
  matched?: string;
}

export async function scanFile(
  file: string,
  detect: (text: string) => { detector: string; matched?: string }[],
): Promise<ScanFinding[]> {
  const findings: ScanFinding[] = [];
  const lines = createInterface({
    input: createReadStream(file, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const text of lines) {
    n++;
    for (const f of detect(text)) {
      const finding: ScanFinding = { file, line: n, detector: f.detector };
      if (f.matched !== undefined) finding.matched = f.matched;
      findings.push(finding);
    }
  }
  return findings;
}
