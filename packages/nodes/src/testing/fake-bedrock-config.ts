import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import type { BedrockClientOptions } from "../bedrock/bedrock-client.ts";
import type { ProviderConfig } from "../provider-config.ts";
import type { FakeBedrock } from "./fake-bedrock.ts";

/** Static credentials the fake accepts (it does not check signatures). A fresh object: the SDK annotates it. */
export function fakeBedrockCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: "AKIDFAKEBEDROCK", secretAccessKey: "fake-secret" };
}

/**
 * Client options that point the real SDK at a fake: its endpoint, static credentials, SigV4 only
 * (so a bearer token in the environment changes nothing), 3 attempts with 10 ms between them.
 */
export function fakeBedrockClientOptions(
  fake: Pick<FakeBedrock, "endpoint">,
  overrides: BedrockClientOptions = {},
): BedrockClientOptions {
  return {
    region: "us-east-1",
    endpoint: fake.endpoint,
    credentials: fakeBedrockCredentials(),
    authSchemePreference: ["sigv4"],
    maxAttempts: 3,
    retryStrategy: new ConfiguredRetryStrategy(3, 10),
    ...overrides,
  };
}

/**
 * A {@link ProviderConfig} that selects Bedrock on a fake, for `createProviders` (server tests use this).
 *
 * @example
 * const fake = await startFakeBedrock();
 * const providers = createProviders(fakeBedrockProviderConfig(fake));
 */
export function fakeBedrockProviderConfig(
  fake: Pick<FakeBedrock, "endpoint">,
  overrides: Partial<ProviderConfig> = {},
): ProviderConfig {
  const { region, endpoint, credentials, authSchemePreference, maxAttempts, retryStrategy } =
    fakeBedrockClientOptions(fake);
  return {
    provider: "bedrock",
    region,
    endpoint,
    credentials,
    authSchemePreference,
    maxAttempts,
    retryStrategy,
    ...overrides,
  };
}
