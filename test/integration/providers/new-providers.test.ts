/**
 * Issue 16 item 4: Azure OpenAI, AWS Bedrock Runtime, Vertex AI Gemini, Ollama and
 * OpenAI-compatible servers, each with its real SDK: record, offline replay, parity and
 * divergence (harness.ts), streaming and tool use included.
 */
import { providerScenarios } from './harness.ts';
import { SCENARIOS } from './scenarios.ts';

providerScenarios(SCENARIOS);
