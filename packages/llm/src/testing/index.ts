// Test doubles for applications and packages that test against @kaged/llm: loopback servers
// speaking the real model protocols. Node built-ins only; nothing here is loaded by the main entry.
export { startAnthropicMessagesServer } from './anthropic-messages-server.js';
export { startOpenAIChatServer } from './openai-chat-server.js';
export { unusedLoopbackURL } from './model-server.js';
export type { ErrorReply, HangReply, LoopbackModelServer, ModelReply, ModelReplyHandler, ModelRequest, ReplyUsage, StreamReply } from './model-server.js';
