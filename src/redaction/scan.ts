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
}

export async function scanFile(
  file: string,
  detect: (text: string) => { detector: string }[],
): Promise<ScanFinding[]> {
  const findings: ScanFinding[] = [];
  const lines = createInterface({
    input: createReadStream(file, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const text of lines) {
    n++;
    for (const f of detect(text)) findings.push({ file, line: n, detector: f.detector });
  }
  return findings;
}
