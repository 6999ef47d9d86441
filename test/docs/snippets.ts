/**
 * Extracts the command snippets of a Markdown file: every fenced block whose language is `sh`,
 * `bash` or `shell`. Blocks in other languages (`ts`, synopses without a language) are not
 * commands and are ignored. An HTML comment on the line just above a fence tells the docs test
 * what to do with it (invisible when rendered):
 *
 *   <!-- docs-test: illustrative -->   shown, never run (needs a real agent, a busy port, ...)
 *   <!-- docs-test: exit 4 -->         run; the last command must exit with this status
 */
export interface Snippet {
  file: string;
  line: number;
  code: string;
  illustrative: boolean;
  exit: number;
}

const FENCE = /^```(\w*)[^\n]*$/;
const MARKER = /^<!--\s*docs-test:\s*(illustrative|exit\s+(\d+))\b.*-->\s*$/;
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
      });
    }
    i = end;
  }
  return snippets;
}
