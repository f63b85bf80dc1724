import type { ChatModel, ChatOptions, ChatRequest } from "@portflow/engine";
import type { ProviderChatResponse, SkippedProvider } from "./model-provider.ts";
import { isRetryableProviderError, kindOfStatus, ProviderError, type ProviderErrorKind } from "./provider-error.ts";

/** One provider of a {@link FallbackChatModel}. */
export interface FallbackLink {
  readonly provider: string;
  readonly chatModel: ChatModel;
}

/** Options of {@link FallbackChatModel}. */
export interface FallbackChatModelOptions {
  /**
   * A provider that has not started answering in this time (its first streamed delta, or the whole
   * answer without streaming) is abandoned for the next; the last one is not. Default 30,000 ms.
   */
  readonly firstAnswerTimeoutMs?: number;
}

/** The default of {@link FallbackChatModelOptions.firstAnswerTimeoutMs}. */
export const DEFAULT_FIRST_ANSWER_TIMEOUT_MS = 30_000;

/**
 * Asks its providers in order (`LLM_FALLBACK=bedrock,anthropic,openai`) and returns the first
 * answer, with `provider` (who answered) and `skipped` (who failed before, and why). It moves on
 * only after a retryable failure — throttling, 5xx, a timeout, a failed connection — never after a
 * request the provider refused (400 and the like: the next would refuse it too), never after a
 * cancel, and never once text has been streamed (the listener cannot take back what it was given).
 * A request's `model` is meant for the first provider; the others use their configured defaults.
 *
 * @example
 * const chain = new FallbackChatModel([{ provider: "bedrock", chatModel: bedrock }, { provider: "openai", chatModel: openai }]);
 * const res = await chain.chat(request, { onText }); // res.provider === "openai" when Bedrock was throttled
 */
export class FallbackChatModel implements ChatModel {
  readonly model: string;
  readonly providers: readonly string[];
  readonly #links: readonly FallbackLink[];
  readonly #timeoutMs: number;

  constructor(links: readonly FallbackLink[], options: FallbackChatModelOptions = {}) {
    const first = links[0];
    if (first === undefined) throw new RangeError("a fallback chain needs at least one provider");
    this.#links = links;
    this.model = first.chatModel.model;
    this.providers = links.map((l) => l.provider);
    this.#timeoutMs = options.firstAnswerTimeoutMs ?? DEFAULT_FIRST_ANSWER_TIMEOUT_MS;
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ProviderChatResponse> {
    const skipped: SkippedProvider[] = [];
    for (const [i, link] of this.#links.entries()) {
      options.signal?.throwIfAborted();
      const { model: _ignored, ...withoutModel } = request;
      const asked = i === 0 ? request : withoutModel;
      const attempt = new AbortController();
      const cancel = () => attempt.abort(options.signal?.reason);
      options.signal?.addEventListener("abort", cancel, { once: true });
      let timedOut = false;
      // the last provider has no one to hand over to: only the node's own timeout limits it
      const last = i === this.#links.length - 1;
      const timer = last
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            attempt.abort(new DOMException("no answer in time", "TimeoutError"));
          }, this.#timeoutMs);
      let streamed = false;
      const onText = options.onText;
      try {
        const response: ProviderChatResponse = await link.chatModel.chat(asked, {
          signal: attempt.signal,
          ...(onText
            ? {
                onText: (delta: string) => {
                  if (!streamed) clearTimeout(timer);
                  streamed = true;
                  onText(delta);
                },
              }
            : {}),
        });
        return { ...response, provider: response.provider ?? link.provider, skipped };
      } catch (caught) {
        options.signal?.throwIfAborted();
        const error = timedOut
          ? new ProviderError(`${link.provider} gave no answer within ${this.#timeoutMs} ms`, {
              provider: link.provider,
              kind: "timeout",
              cause: caught,
            })
          : caught;
        if (streamed || !isRetryableProviderError(error)) throw error;
        skipped.push({ provider: link.provider, error: (error as Error).message });
        if (last) {
          throw new ProviderError(
            `every provider of the fallback chain failed: ${skipped.map((s) => `${s.provider}: ${s.error}`).join("; ")}`,
            { provider: link.provider, kind: kindOf(error), cause: error },
          );
        }
      } finally {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", cancel);
      }
    }
    throw new Error("unreachable: the loop returns or throws");
  }
}

/** The kind of a retryable failure: a ProviderError's own, else from a status (BedrockError has one). */
function kindOf(error: unknown): ProviderErrorKind {
  if (error instanceof ProviderError) return error.kind;
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" ? kindOfStatus(status) : "network";
}
