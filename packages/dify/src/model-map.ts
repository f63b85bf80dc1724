import { z } from "zod";

/** A Portflow model: the provider that serves it and the model id it is called by. */
export interface PortflowModel {
  readonly provider: string;
  readonly name: string;
}

/**
 * Dify model → Portflow model, keyed `provider/model` (`openai/gpt-4o`, also with Dify's plugin
 * prefix `langgenius/openai/openai/gpt-4o`) or `model` alone. A Dify model not in the map names no
 * model, so the node runs on the server's configured provider and model.
 */
export type ModelMap = Readonly<Record<string, PortflowModel>>;

/** The `--model-map` file and the HTTP `model_map` field. */
export const modelMapSchema = z.record(
  z.string().min(1, "a key is `provider/model` or `model`"),
  z.strictObject({
    provider: z.string().min(1),
    name: z.string().min(1),
  }),
);

/** The entry of `map` for a Dify model: `provider/name`, then the provider's last segment, then `name`. */
export function lookUpModel(map: ModelMap, provider: string, name: string): PortflowModel | undefined {
  const short = provider.split("/").at(-1) ?? provider;
  return map[`${provider}/${name}`] ?? map[`${short}/${name}`] ?? map[name];
}
