import type { ChatModel, ChatOptions, ChatRequest, ChatResponse } from "@portflow/engine";

export interface ScriptedChatModelOptions {
  /** The answer for a request (default: echoes the last user message). */
  readonly answer?: (request: ChatRequest) => string;
  /** Delay before each streamed word, in ms (default 0). */
  readonly chunkDelayMs?: number;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("aborted");
}

/**
 * A ChatModel for tests: streams a scripted answer word by word, honours the abort signal and
 * remembers every request (to check what history and prompts reached the model).
 */
export class ScriptedChatModel implements ChatModel {
  readonly model = "scripted";
  readonly requests: ChatRequest[] = [];
  /** Calls that ended because their signal aborted. */
  aborted = 0;

  constructor(private readonly options: ScriptedChatModelOptions = {}) {}

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    this.requests.push(request);
    const last = request.messages.at(-1)?.content ?? "";
    const text = this.options.answer?.(request) ?? `echo: ${last}`;
    const words = text.split(/(?<= )/);
    const signal = options.signal;
    for (const word of words) {
      if (signal?.aborted) {
        this.aborted++;
        throw abortError(signal);
      }
      const delay = this.options.chunkDelayMs ?? 0;
      if (delay > 0) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, delay);
          signal?.addEventListener(
            "abort",
            () => {
              clearTimeout(timer);
              this.aborted++;
              reject(abortError(signal));
            },
            { once: true },
          );
        });
      }
      options.onText?.(word);
    }
    return { text, usage: { input: last.length, output: text.length }, stopReason: "end_turn", model: this.model };
  }
}
