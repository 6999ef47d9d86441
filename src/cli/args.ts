/** Argument helpers the commands share. */

/** citty keeps only the last of a repeated flag: collect every `--flag V` / `--flag=V` ourselves. */
export function repeated(rawArgs: string[], flag: string): string[] {
  const values: string[] = [];
  rawArgs.forEach((arg, i) => {
    if (arg === flag && rawArgs[i + 1] !== undefined) values.push(rawArgs[i + 1] as string);
    else if (arg.startsWith(`${flag}=`)) values.push(arg.slice(flag.length + 1));
  });
  return values;
}

/** The `--ignore-path` flag as every replaying command declares it. */
export const ignorePathArg = {
  type: 'string',
  description: 'JSON path left out of the comparison (body.metadata.trace_id), repeatable',
} as const;
