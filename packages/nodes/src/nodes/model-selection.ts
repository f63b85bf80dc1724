import { type ChatModel, type NodeContext, Services } from "@portflow/engine";
import { z } from "zod";
import { ChatModelCatalogService } from "../chat-model-catalog.ts";
import { MODEL_PROVIDERS, type ModelProvider } from "../model-provider.ts";

/** A node's `model`, normalised: a bare string is a model id for the default provider. */
export interface ModelSelection {
  /** Absent: the default (the fallback chain, or the one configured provider). */
  readonly provider?: ModelProvider;
  /** The model id at that provider; absent: the provider's configured default. */
  readonly name?: string;
  /** With a fallback chain configured: false asks only `provider`. Default true. */
  readonly fallback?: boolean;
}

/**
 * The `model` config of `llm`, `question-classifier` and `parameter-extractor`: a model id
 * (`"gpt-4o"`, for the default provider) or `{provider, name?, fallback?}`. Given the configured
 * providers, a provider outside them fails validation, naming them.
 *
 * @example
 * { "model": { "provider": "anthropic", "name": "claude-sonnet-4-5" } }
 */
export function modelSelectionSchema(configured?: readonly ModelProvider[]) {
  const selection = z
    .object({
      provider: z.string().optional(),
      name: z.string().min(1).optional(),
      fallback: z.boolean().optional(),
    })
    .strict()
    .superRefine((value, ctx) => {
      const provider = value.provider;
      if (provider === undefined) return;
      if (!(MODEL_PROVIDERS as readonly string[]).includes(provider)) {
        ctx.addIssue({
          code: "custom",
          path: ["provider"],
          message: `unknown provider "${provider}": one of ${MODEL_PROVIDERS.join(", ")}`,
        });
      } else if (configured !== undefined && !configured.includes(provider as ModelProvider)) {
        ctx.addIssue({
          code: "custom",
          path: ["provider"],
          message: `provider "${provider}" is not configured here (configured: ${configured.join(", ")})`,
        });
      }
    });
  return z
    .union([z.string().min(1), selection])
    .transform((value): ModelSelection => (typeof value === "string" ? { name: value } : (value as ModelSelection)));
}

/** Options of the model-calling nodes (`llm`, `question-classifier`, `parameter-extractor`). */
export interface ModelNodeOptions {
  /** The chat providers configured; given, a node naming another fails validation. */
  readonly providers?: readonly ModelProvider[];
}

/** A node's model named a provider this run cannot reach. */
export class ProviderNotConfiguredError extends Error {
  override readonly name = "ProviderNotConfiguredError";
  readonly code = "PROVIDER_NOT_CONFIGURED";
}

/**
 * The chat model a node's `model` selects, and the model id to ask for: the run's default
 * `ChatModel` unless a provider is named, then that provider from the `ChatModelCatalog` (its
 * chain after it, unless `fallback: false`). Throws {@link ProviderNotConfiguredError} for a
 * provider the run has not configured.
 */
export function chatModelFor(
  ctx: NodeContext<unknown>,
  nodeType: string,
  selection: ModelSelection | undefined,
): { readonly chatModel: ChatModel; readonly model?: string } {
  const name = selection?.name !== undefined ? { model: selection.name } : {};
  const provider = selection?.provider;
  if (provider === undefined) return { chatModel: ctx.services.resolve(Services.ChatModel), ...name };
  const catalog = ctx.services.tryResolve(ChatModelCatalogService);
  const chatModel = catalog?.select(provider, selection?.fallback === false ? { fallback: false } : {});
  if (chatModel === undefined) {
    const configured = catalog ? `configured: ${catalog.providers.join(", ")}` : "no provider catalog is registered";
    throw new ProviderNotConfiguredError(
      `${nodeType} node "${ctx.nodeId}": model.provider "${provider}" is not configured (${configured})`,
    );
  }
  return { chatModel, ...name };
}
