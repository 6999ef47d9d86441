/**
 * The demo's output: one aligned line per step (mark, name, what happened, duration), coloured only
 * when the stream is a terminal that wants colour (`util.styleText` honours NO_COLOR, FORCE_COLOR
 * and TTY detection), so piped output and CI logs stay plain.
 */
import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];
const paint = (style: Style, text: string) => styleText(style, text, { stream: process.stdout });

export interface StepLine {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

const NAME_WIDTH = 9;

export function title(text: string, sub: string): void {
  process.stdout.write(`\n${paint('bold', text)}\n${paint('dim', sub)}\n\n`);
}

export function stepLine(line: StepLine): void {
  const mark = line.ok ? paint('green', '✔') : paint('red', '✘');
  const name = paint(line.ok ? 'cyan' : 'red', line.name.padEnd(NAME_WIDTH));
  const ms = paint('dim', `${Math.round(line.ms)} ms`.padStart(8));
  process.stdout.write(`  ${mark} ${name} ${line.detail.padEnd(64)} ${ms}\n`);
}

export function failure(text: string): void {
  const body = text.trim().split('\n').slice(0, 12);
  process.stdout.write(`\n${body.map((l) => `    ${paint('red', l)}`).join('\n')}\n`);
}

export function block(label: string, rows: [string, string][]): void {
  process.stdout.write(`\n  ${paint('bold', label)}\n`);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`    ${paint('dim', k.padEnd(width))}  ${v}\n`);
}

export const short = (hash: string) => `${hash.slice(0, 12)}…`;
