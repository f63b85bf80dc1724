import { type CallOptions, ServiceToken } from "@portflow/engine";

/**
 * A run's bot secrets, resolved by name on demand. The server registers one per run (for the
 * run's bot) on the run's own service scope, so secret values never enter the variable pool,
 * the run's inputs or its system variables. Only `http-request` asks for it.
 */
export interface SecretResolver {
  /** The values of `names` that are set; a name missing from the result is not set. */
  resolve(names: readonly string[], options?: CallOptions): Promise<Readonly<Record<string, string>>>;
}

/** The service token of the per-run {@link SecretResolver}. */
export const SecretResolverService = new ServiceToken<SecretResolver>("SecretResolver");

/** What a secret name may look like: `{{secret.NAME}}` and `["secret", NAME]` use it. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** How a secret value appears in every record, log and error. */
export const SECRET_MASK = "***";

/** A workflow references secrets its bot has not set (or the run has no secrets at all). */
export class MissingSecretError extends Error {
  override readonly name = "MissingSecretError";
  readonly code = "SECRET_NOT_SET";
  constructor(
    readonly nodeId: string,
    readonly names: readonly string[],
  ) {
    super(
      `${names.length === 1 ? "secret" : "secrets"} ${names.map((n) => `"${n}"`).join(", ")} ` +
        `referenced by node "${nodeId}" ${names.length === 1 ? "is" : "are"} not set for this bot ` +
        "(set with `portflow secrets set` or PUT /api/v1/bots/{bot_id}/secrets/{name})",
    );
  }
}
