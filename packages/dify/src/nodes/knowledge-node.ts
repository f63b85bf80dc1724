import { z } from "zod";
import { difySelector, parseAt } from "../dify-dsl-schema.ts";
import { NodeInputs } from "../node-inputs.ts";
import type { NodeMapper } from "../node-mapper.ts";
import { portflowNode } from "../portflow-node.ts";

const knowledgeSchema = z.looseObject({
  query_variable_selector: difySelector.nullish(),
  dataset_ids: z.array(z.unknown()).nullish(),
  retrieval_mode: z.enum(["single", "multiple"]).nullish(),
  multiple_retrieval_config: z
    .looseObject({
      top_k: z.number().int().min(1).nullish(),
      score_threshold: z.number().nullish(),
      reranking_enable: z.boolean().nullish(),
    })
    .nullish(),
  metadata_filtering_mode: z.string().nullish(),
});

/**
 * `knowledge-retrieval` → `knowledge`: searches this bot's documents (Dify's `dataset_ids` have no
 * counterpart: a Portflow bot has one knowledge base); `top_k` and `score_threshold` carry over.
 * Its `result` output is Portflow's `documents`.
 */
export const mapKnowledge: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(knowledgeSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  const notes: string[] = [];
  if (data.query_variable_selector && data.query_variable_selector.length > 0) {
    inputs.bind("query", data.query_variable_selector, [...at, "query_variable_selector"]);
  } else if (ctx.mode === "advanced-chat") {
    inputs.mappings.push({ target_port: "query", selector: ["sys", "query"] });
  }
  const datasets = data.dataset_ids?.length ?? 0;
  notes.push(`searches this bot's documents (Dify searched ${datasets} dataset${datasets === 1 ? "" : "s"})`);
  const config: Record<string, unknown> = {};
  const multiple = data.multiple_retrieval_config;
  if (data.retrieval_mode === "single") {
    notes.push("single mode: Dify let a model pick one dataset; Portflow returns the top 5 chunks");
  } else if (multiple) {
    if (multiple.top_k) config.top_k = Math.min(100, multiple.top_k);
    if (typeof multiple.score_threshold === "number")
      config.score_threshold = Math.max(-1, Math.min(1, multiple.score_threshold));
    if (multiple.reranking_enable === true) notes.push("reranking is not imported: chunks are ordered by similarity");
  }
  if (data.metadata_filtering_mode && data.metadata_filtering_mode !== "disabled") {
    notes.push(`metadata filtering (${data.metadata_filtering_mode}) is not imported`);
  }
  return {
    nodes: [portflowNode(node, "knowledge", config, inputs, ctx)],
    portflowType: "knowledge",
    notes: [...notes, ...inputs.notes],
  };
};
