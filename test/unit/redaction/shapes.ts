/**
 * Stream delta events per provider, built the way each provider sends them (docs: FACTS.md "Wire
 * formats"), with a reader for the text each event carries.
 */
import type { StreamEvent } from '../../../src/cassette/schema.ts';

// biome-ignore lint/suspicious/noExplicitAny: fixtures are read along paths the test just built.
type Obj = Record<string, any>;

export interface DeltaShape {
  name: string;
  make(text: string, i: number): StreamEvent;
  read(ev: StreamEvent): string;
}

export const DELTA_SHAPES: DeltaShape[] = [
  {
    name: 'openai responses output_text',
    make: (delta, i) => ({
      offset_ms: i,
      event: 'response.output_text.delta',
      data: {
        type: 'response.output_text.delta',
        item_id: 'msg_1',
        output_index: 0,
        content_index: 0,
        delta,
        sequence_number: i,
        obfuscation: 'x1Yz',
      },
    }),
    read: (ev) => (ev.data as Obj).delta,
  },
  {
    name: 'openai responses function_call_arguments',
    make: (delta, i) => ({
      offset_ms: i,
      event: 'response.function_call_arguments.delta',
      data: {
        type: 'response.function_call_arguments.delta',
        item_id: 'fc_1',
        output_index: 1,
        delta,
      },
    }),
    read: (ev) => (ev.data as Obj).delta,
  },
  {
    name: 'openai chat content',
    make: (content, i) => ({
      offset_ms: i,
      data: { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] },
    }),
    read: (ev) => (ev.data as Obj).choices[0].delta.content,
  },
  {
    name: 'openai chat tool_calls arguments',
    make: (args, i) => ({
      offset_ms: i,
      data: {
        object: 'chat.completion.chunk',
        choices: [
          { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args } }] } },
        ],
      },
    }),
    read: (ev) => (ev.data as Obj).choices[0].delta.tool_calls[0].function.arguments,
  },
  {
    name: 'anthropic text_delta',
    make: (text, i) => ({
      offset_ms: i,
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
    }),
    read: (ev) => (ev.data as Obj).delta.text,
  },
  {
    name: 'anthropic input_json_delta',
    make: (partial_json, i) => ({
      offset_ms: i,
      event: 'content_block_delta',
      data: {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json },
      },
    }),
    read: (ev) => (ev.data as Obj).delta.partial_json,
  },
  {
    name: 'gemini candidates parts text',
    make: (text, i) => ({
      offset_ms: i,
      data: {
        candidates: [{ index: 0, content: { role: 'model', parts: [{ text }] } }],
        responseId: 'r1',
      },
    }),
    read: (ev) => (ev.data as Obj).candidates[0].content.parts[0].text,
  },
  {
    // Responses hosted shell: the command's output streams as `delta: { stdout }` objects
    // (test/fixtures/corpus/openai/openai-shell-container.1.jsonl).
    name: 'openai responses shell_call_output_content stdout',
    make: (stdout, i) => ({
      offset_ms: i,
      event: 'response.shell_call_output_content.delta',
      data: {
        type: 'response.shell_call_output_content.delta',
        command_index: 0,
        delta: { stdout },
        item_id: 'sho_1',
        output_index: 1,
        sequence_number: i,
      },
    }),
    read: (ev) => (ev.data as Obj).delta.stdout,
  },
  {
    // Anthropic context compaction summary (test/fixtures/corpus/anthropic/anthropic-compaction.1).
    name: 'anthropic compaction_delta',
    make: (content, i) => ({
      offset_ms: i,
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 0, delta: { type: 'compaction_delta', content } },
    }),
    read: (ev) => (ev.data as Obj).delta.content,
  },
  {
    // Mistral's Chat content as an array of typed parts (corpus/mistral/mistral-reasoning).
    name: 'mistral chat content parts',
    make: (text, i) => ({
      offset_ms: i,
      data: {
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { content: [{ type: 'text', text }] } }],
      },
    }),
    read: (ev) => (ev.data as Obj).choices[0].delta.content[0].text,
  },
  {
    name: 'mistral chat thinking parts',
    make: (text, i) => ({
      offset_ms: i,
      data: {
        object: 'chat.completion.chunk',
        choices: [
          {
            index: 0,
            delta: { content: [{ type: 'thinking', thinking: [{ type: 'text', text }] }] },
          },
        ],
      },
    }),
    read: (ev) => (ev.data as Obj).choices[0].delta.content[0].thinking[0].text,
  },
  {
    // Gemini 3 / Vertex streamed function-call arguments: a string value arrives in pieces under
    // its JSON path (test/fixtures/corpus/google/google-stream-tool-call-arguments.jsonl).
    name: 'gemini functionCall partialArgs stringValue',
    make: (stringValue, i) => ({
      offset_ms: i,
      data: {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                {
                  functionCall: {
                    partialArgs: [{ jsonPath: '$.command', stringValue, willContinue: true }],
                    willContinue: true,
                  },
                },
              ],
            },
          },
        ],
        responseId: 'r1',
      },
    }),
    read: (ev) =>
      (ev.data as Obj).candidates[0].content.parts[0].functionCall.partialArgs[0].stringValue,
  },
];

/** Obviously fake secrets of each detected shape (none is a real credential). */
export const FAKE = {
  openai: 'sk-proj-FAKEtestKEY0123456789abcdefghijklmnopqrstuvwxyzABCDEF0123456789',
  openaiSvc: 'sk-svcacct-FAKEtestKEY0123456789abcdefghijklmnop',
  anthropic: 'sk-ant-api03-FAKEtestKEY0123456789abcdefghijklmnopqrstuv-AAAA',
  google: 'AIzaSyFAKEtestKEY0123456789abcdefghijkl',
  /** Its last 6 characters are the CRC32 of the 30 before them, as in GitHub's format. */
  github: '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',
  githubPat:
    'github_pat_11FAKETEST0123456789AB_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVW',
  slack: 'xoxb-000000000000-FAKEtestKEY01',
  awsId: 'AKIAFAKETEST01234567',
  awsSecret: 'FAKEtest/Secret+Key0123456789abcdefghijk',
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmYWtlLXRlc3QiLCJuYW1lIjoiRmFrZSJ9.FAKEsignature0123456789abcdefghijklmnopqrs',
  pem: '-----BEGIN PRIVATE KEY-----\nMIIEvFAKEtestKEYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nFAKEFAKEFAKEFAKE==\n-----END PRIVATE KEY-----',
  bearer: 'FAKEbearer0123456789abcdefXYZ',
  email: 'jane.fake-person@example.com',
  phone: '+44 20 7946 0958',
  card: '4111 1111 1111 1111',
  env: 'plain-FAKE-value-only-in-env-42',
} as const;
