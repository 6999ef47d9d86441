/** A loopback fake of the OpenAI, Anthropic and Gemini HTTP APIs for tests. See README.md. */
export { startFakeUpstream } from './server.ts';
export type {
  DisconnectReply,
  ErrorReply,
  FakeUpstream,
  FakeUpstreamOptions,
  FormValue,
  HangReply,
  MalformedReply,
  Provider,
  RawReply,
  ReceivedRequest,
  RejectUpgradeReply,
  Reply,
  ReplyHandler,
  ReplyOptions,
  SentResponse,
  StreamErrorReply,
  TextReply,
  ToolCall,
  ToolReply,
  Transport,
} from './types.ts';
export { DEFAULT_TEXT } from './types.ts';
