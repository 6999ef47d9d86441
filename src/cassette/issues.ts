/**
 * Turns a zod error into one phrase a person can act on, naming the line kind and the field path
 * (`step model.response: field "status" expected number, got string`). Only the first issue is
 * reported: the reader stops at the first bad line anyway, and one clear fault beats six.
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

export function describeIssues(label: string, error: z.ZodError, input: unknown): string {
  const issue = error.issues[0];
  if (!issue) return `${label}: invalid`;
  return `${label}: ${describeIssue(issue, input)}`;
}

function describeIssue(issue: Issue, input: unknown): string {
  const field = `field "${formatPath(issue.path)}"`;
  const actual = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return actual === undefined
        ? `${field} is missing (expected ${issue.expected})`
        : `${field} expected ${issue.expected === 'int' ? 'an integer' : issue.expected}, got ${kindOf(actual)}`;
    case 'invalid_value':
      return `${field} expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${preview(actual)}`;
    case 'invalid_union':
      return actual === undefined
        ? `${field} is missing`
        : `${field} does not match any allowed shape`;
    case 'too_small':
      return issue.origin === 'string' && issue.minimum === 1
        ? `${field} must not be empty`
        : `${field} must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}, got ${preview(actual)}`;
    case 'invalid_format':
      return `${field} has the wrong format (${issue.format === 'regex' ? `must match ${issue.pattern}` : issue.format}), got ${preview(actual)}`;
    default:
      return `${field}: ${issue.message}`;
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
