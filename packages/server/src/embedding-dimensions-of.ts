import type { ServerConfig } from "./config.ts";

/** What `createProviders` gives an embedder that is not told a size (Titan v2's default output). */
const DEFAULT_DIMENSIONS = 1024;

/**
 * The size of the vectors the configured embedder makes, read from the configuration alone, the
 * way `createProviders(providerConfigOf(config)).embedder.dimensions` decides it (a test keeps the
 * two in step): commands that only read and write rows open the database with it, without loading
 * the provider clients.
 */
export function embeddingDimensionsOf(config: Pick<ServerConfig, "llm">): number {
  const embedder = config.llm.embeddingProvider ?? config.llm.provider;
  if (embedder === "openai") return config.llm.openai?.embeddingDimensions ?? DEFAULT_DIMENSIONS;
  return DEFAULT_DIMENSIONS;
}
