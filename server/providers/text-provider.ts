// What a text stage asks of a model: a streamed chat completion.
export interface TextRequest {
  system: string;
  user: string;
  signal: AbortSignal;
  /** The stage's model, when configured; else the provider's own. */
  model?: string;
  /** Structured output: the answer must be JSON matching this schema. */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  /** What the offline provider answers for this request (deterministic, derived from the input). */
  offlineAnswer: () => string;
}

export type TextChunk = { delta: string } | { usage: { totalTokens: number } };

export interface TextProvider {
  /** Provider name, recorded on the task. */
  readonly name: string;
  readonly model: string;
  stream(request: TextRequest): AsyncIterable<TextChunk>;
}
