/**
 * Extracts the command snippets of a Markdown file: every fenced block whose language is `sh`,
 * `bash` or `shell`. Blocks in other languages (`ts`, synopses without a language) are not
 * commands and are ignored. An HTML comment on the line just above a fence tells the docs test
 * what to do with it (invisible when rendered):
 *
 *   <!-- docs-test: illustrative -->   shown, never run (needs a real agent, a busy port, ...)
 *   <!-- docs-test: exit 4 -->         run; the last command must exit with this status
 *   <!-- docs-test: consumer -->       a step of the README's consumer path, run in a fresh
 *                                      project by readme-consumer.test.ts (not in the sandbox)
 *   <!-- docs-test: consumer offline --> the same, with the network gone and no API key set
 *   <!-- docs-test: consumer file NAME --> (any language) written to NAME in that project
 */
export interface Snippet {
  file: string;
  line: number;
  code: string;
  illustrative: boolean;
  exit: number;
  /** A step of the consumer path (readme-consumer.test.ts runs it, the sandbox does not). */
  consumer: boolean;
}

export type ConsumerStep =
  | { kind: 'file'; line: number; name: string; code: string }
  | { kind: 'run'; line: number; code: string; offline: boolean };

const FENCE = /^```(\w*)[^\n]*$/;
const MARKER = /^<!--\s*docs-test:\s*(illustrative|exit\s+(\d+))\b.*-->\s*$/;
const CONSUMER = /^<!--\s*docs-test:\s*consumer(?:\s+(offline)|\s+file\s+(\S+))?\s*-->\s*$/;
const SHELLS = new Set(['sh', 'bash', 'shell']);

export function extractSnippets(file: string, markdown: string): Snippet[] {
  const lines = markdown.split(/\r?\n/);
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end === -1) throw new Error(`${file}:${i + 1}: unclosed code fence`);
    if (SHELLS.has(open[1] ?? '')) {
      const marker = MARKER.exec(lines[i - 1] ?? '');
      snippets.push({
        file,
        line: i + 1,
        code: lines.slice(i + 1, end).join('\n'),
        illustrative: marker?.[1] === 'illustrative',
        exit: marker?.[2] ? Number(marker[2]) : 0,
        consumer: CONSUMER.test(lines[i - 1] ?? ''),
      });
    }
    i = end;
  }
  return snippets;
}

/** The README's consumer path, in order: files to write and commands to run. */
export function consumerSteps(file: string, markdown: string): ConsumerStep[] {
  const lines = markdown.split(/\r?\n/);
  const steps: ConsumerStep[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE.test(lines[i] ?? '')) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end === -1) throw new Error(`${file}:${i + 1}: unclosed code fence`);
    const marker = CONSUMER.exec(lines[i - 1] ?? '');
    const code = lines.slice(i + 1, end).join('\n');
    if (marker?.[2]) steps.push({ kind: 'file', line: i + 1, name: marker[2], code });
    else if (marker) steps.push({ kind: 'run', line: i + 1, code, offline: !!marker[1] });
    i = end;
  }
  return steps;
}
