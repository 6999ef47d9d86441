/**
 * `replaypack diff --markdown`: a summary sized for a pull-request comment (GitHub caps one at
 * 65,536 characters), linking to the HTML page for the rest. Cassette text is untrusted here
 * too: it only ever appears inside code spans and fenced blocks, with their delimiters defused.
 */
import type { DiffData, DiffExchange, DiffOp } from './page-data.ts';

const BUDGET = 60_000;
const LABEL: Record<DiffExchange['status'], string> = {
  same: 'same',
  changed: 'changed',
  only_a: 'removed',
  only_b: 'added',
};

/** A code span that survives backticks and newlines in its text. */
function code(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  const ticks = '`'.repeat(Math.max(1, ...[...cut.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  const pad = cut.startsWith('`') || cut.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${cut.replace(/\|/g, '\\|')}${pad}${ticks}`;
}

function money(value: number, currency: string): string {
  const digits = value === 0 ? 2 : Math.abs(value) < 0.0001 ? 6 : Math.abs(value) < 0.01 ? 4 : 2;
  return currency === 'USD' ? `$${value.toFixed(digits)}` : `${value.toFixed(digits)} ${currency}`;
}

const signed = (n: number, f: (x: number) => string) => `${n >= 0 ? '+' : '−'}${f(Math.abs(n))}`;

/** Changed text as diff lines: removed words on `-` lines, added on `+` lines. */
function opsBlock(ops: DiffOp[], max = 1200): string {
  const before = ops
    .filter(([op]) => op !== '+')
    .map(([, t]) => t)
    .join('');
  const after = ops
    .filter(([op]) => op !== '-')
    .map(([, t]) => t)
    .join('');
  const lines = (prefix: string, text: string) =>
    text
      .slice(0, max)
      .split('\n')
      .map((l) => `${prefix} ${l}`)
      .join('\n');
  const body = [before ? lines('-', before) : '', after ? lines('+', after) : '']
    .filter(Boolean)
    .join('\n')
    .replace(/```/g, '`\u200b``');
  return `\`\`\`diff\n${body}\n\`\`\``;
}

function details(x: DiffExchange): string[] {
  const parts: string[] = [];
  if (x.status === 'only_a' || x.status === 'only_b') {
    const asked = x.turns.filter((t) => t.role === 'user').at(-1);
    if (asked) parts.push(`asks ${code(asked.b ?? asked.a ?? '', 60)}`);
    if (x.tools.length) parts.push(`calls ${x.tools.map((t) => code(t.name, 30)).join(', ')}`);
    return parts;
  }
  const changedTurns = x.turns.filter((t) => t.status !== 'same');
  if (changedTurns.length) {
    parts.push(`${changedTurns.length} turn${changedTurns.length === 1 ? '' : 's'} changed`);
  }
  for (const t of x.tools) parts.push(`tool ${code(t.name, 40)} ${t.status}`);
  if (x.answer) parts.push('answer changed');
  if (x.tokens.a !== x.tokens.b) parts.push(`tokens ${signed(x.tokens.b - x.tokens.a, String)}`);
  return parts;
}

export function formatMarkdown(d: DiffData, link?: string): string {
  const lines: string[] = [];
  const { same, changed, only_a, only_b } = d.counts;
  lines.push(`### ReplayKit cassette diff: ${code(d.a.file)} → ${code(d.b.file)}`, '');
  if (d.equal) {
    lines.push(`✅ Same canonical steps (${same} exchange${same === 1 ? '' : 's'}).`);
  } else {
    lines.push(
      `**${changed} changed, ${only_b} added, ${only_a} removed**, ${same} unchanged · tokens ${d.tokens.a} → ${d.tokens.b} (${signed(d.tokens.b - d.tokens.a, String)}) · cost ${money(d.cost.a, d.cost.currency)} → ${money(d.cost.b, d.cost.currency)} (${signed(d.cost.b - d.cost.a, (x) => money(x, d.cost.currency))}, prices of ${d.cost.priced_at})`,
    );
  }
  if (d.first) {
    const head = d.first.message.split('\n')[0] ?? '';
    lines.push(
      '',
      `**First divergence**${d.first.path ? ` at ${code(d.first.path, 120)}` : ''}: ${code(head, 200)}`,
    );
  }
  const rows = d.exchanges.filter((x) => x.status !== 'same');
  if (rows.length) {
    lines.push('', '| # | exchange | change | what |', '| --- | --- | --- | --- |');
    for (const x of rows.slice(0, 50)) {
      const where = `${x.a === null ? '–' : x.a} / ${x.b === null ? '–' : x.b}`;
      lines.push(
        `| ${where} | ${code(`${x.provider} ${x.endpoint}${x.model ? ` ${x.model}` : ''}`, 60)} | ${LABEL[x.status]} | ${details(x).join('; ') || (x.path ? code(x.path, 60) : '')} |`,
      );
    }
    if (rows.length > 50) lines.push(`| … | ${rows.length - 50} more | | |`);
    const blocks: string[] = [];
    for (const x of rows) {
      for (const t of x.turns) {
        if (t.status === 'changed' && t.ops)
          blocks.push(`Exchange ${x.b ?? x.a}, ${t.role} turn:\n\n${opsBlock(t.ops)}`);
        else if (t.status !== 'same') {
          const sign = t.status === 'only_b' ? '+' : '-';
          const text = (t.b ?? t.a ?? '').slice(0, 1200);
          blocks.push(
            `Exchange ${x.b ?? x.a}, ${t.role} turn ${LABEL[t.status]}:\n\n${opsBlock([[sign, text]])}`,
          );
        }
      }
      for (const t of x.tools) {
        const args = (v: unknown) => (v === undefined ? '' : JSON.stringify(v, null, 2));
        blocks.push(
          `Exchange ${x.b ?? x.a}, tool ${code(t.name, 40)} ${t.status}:\n\n${opsBlock([
            ['-', args(t.a)],
            ['+', args(t.b)],
          ])}`,
        );
      }
      if (x.answer) blocks.push(`Exchange ${x.b ?? x.a}, answer:\n\n${opsBlock(x.answer.ops)}`);
    }
    if (blocks.length) {
      lines.push('', '<details><summary>Changed prompts, tool calls and answers</summary>', '');
      let used = lines.join('\n').length;
      for (const block of blocks) {
        if (used + block.length > BUDGET) {
          lines.push('', '_More changes are in the HTML diff._');
          break;
        }
        lines.push(block, '');
        used += block.length;
      }
      lines.push('</details>');
    }
  }
  if (link) lines.push('', `[Open the full conversation diff (HTML)](${encodeURI(link)})`);
  return `${lines.join('\n')}\n`;
}
