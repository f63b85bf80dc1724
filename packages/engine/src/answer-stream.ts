/**
 * Streams `answer` text to the run's listeners in graph order: each answer (or container holding
 * answers) is a slot; a slot's text is delivered as soon as it is ready when every earlier slot
 * has finished, and buffered until then — so a later answer never overtakes an earlier one, and an
 * answer waiting on a slow branch does not hold back the ones before it.
 * @module
 */

/** Where one slot's text comes from: its node, and optionally an LLM whose tokens it embeds. */
export interface AnswerSlotPlan {
  /** The answer node, or a container whose body holds answers. */
  readonly nodeId: string;
  /** An answer embedding a streaming node's output: the source's id and the template before it. */
  readonly stream?: { readonly sourceId: string; readonly prefix: string };
}

type SlotState = "pending" | "open" | "done";

interface Slot {
  readonly plan: AnswerSlotPlan;
  state: SlotState;
  /** Text delivered (or buffered) so far, for the streamed answer's remainder. */
  emitted: string;
  /** Held while an earlier slot is unfinished: [answer node id, text]. */
  readonly buffer: [string, string][];
  /** The stream could not start (its prefix named a value not ready): wait for the node. */
  noStream: boolean;
}

export class AnswerStream {
  readonly #slots: Slot[];
  readonly #bySource = new Map<string, Slot[]>();
  readonly #byNode = new Map<string, Slot>();
  readonly #deliver: (nodeId: string, text: string) => void;
  #current = 0;
  #text = "";

  constructor(plans: readonly AnswerSlotPlan[], deliver: (nodeId: string, text: string) => void) {
    this.#deliver = deliver;
    this.#slots = plans.map((plan) => ({ plan, state: "pending", emitted: "", buffer: [], noStream: false }));
    for (const slot of this.#slots) {
      this.#byNode.set(slot.plan.nodeId, slot);
      const source = slot.plan.stream?.sourceId;
      if (source !== undefined) this.#bySource.set(source, [...(this.#bySource.get(source) ?? []), slot]);
    }
  }

  /** Every answer's text so far, in slot order: the run's `outputs.answer`. */
  get text(): string {
    return this.#text;
  }

  /**
   * A chunk from a streaming node: every answer embedding it opens (its prefix rendered by
   * `prefix`, undefined when a value it needs is not ready yet) and passes the chunk on.
   */
  sourceChunk(
    sourceId: string,
    chunk: string,
    prefix: (answerId: string, template: string) => string | undefined,
  ): void {
    for (const slot of this.#bySource.get(sourceId) ?? []) {
      if (slot.state === "done" || slot.noStream) continue;
      if (slot.state === "pending") {
        const rendered = prefix(slot.plan.nodeId, slot.plan.stream?.prefix ?? "");
        if (rendered === undefined) {
          slot.noStream = true;
          continue;
        }
        slot.state = "open";
        this.#push(slot, slot.plan.nodeId, rendered);
      }
      this.#push(slot, slot.plan.nodeId, chunk);
    }
  }

  /** An answer node finished with `text`: what was not streamed yet is delivered, and the slot closes. */
  answered(nodeId: string, text: string): void {
    const slot = this.#byNode.get(nodeId);
    if (slot === undefined || slot.state === "done") return;
    // A streamed answer has sent a prefix of its text already; the rest follows.
    const rest = text.startsWith(slot.emitted) ? text.slice(slot.emitted.length) : slot.emitted === "" ? text : "";
    this.#push(slot, nodeId, rest);
    this.#close(slot);
  }

  /** An answer inside a container's body (one round) said `text`: delivered in the container's slot. */
  bodyAnswered(containerId: string, answerId: string, text: string): void {
    const slot = this.#byNode.get(containerId);
    if (slot !== undefined && slot.state !== "done") this.#push(slot, answerId, text);
  }

  /** A slot's node was skipped, failed or (a container) finished: later slots may go on. */
  closed(nodeId: string): void {
    const slot = this.#byNode.get(nodeId);
    if (slot !== undefined && slot.state !== "done") this.#close(slot);
  }

  #push(slot: Slot, nodeId: string, text: string): void {
    if (text === "") return;
    slot.emitted += text;
    if (this.#slots[this.#current] === slot) this.#emit(nodeId, text);
    else slot.buffer.push([nodeId, text]);
  }

  #close(slot: Slot): void {
    slot.state = "done";
    while (this.#current < this.#slots.length) {
      const next = this.#slots[this.#current] as Slot;
      for (const [nodeId, text] of next.buffer.splice(0)) this.#emit(nodeId, text);
      if (next.state !== "done") return;
      this.#current++;
    }
  }

  #emit(nodeId: string, text: string): void {
    this.#text += text;
    this.#deliver(nodeId, text);
  }
}
