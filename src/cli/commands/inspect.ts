import { defineCommand } from 'citty';
import { UsageError } from '../../errors.ts';

export default defineCommand({
  meta: { name: 'inspect', description: 'Validate a .rpk cassette and summarise it' },
  args: {
    file: { type: 'positional', required: true, description: 'The .rpk file' },
    json: { type: 'boolean', description: 'Print the summary as JSON' },
  },
  run() {
    throw new UsageError('inspect is not implemented yet');
  },
});
