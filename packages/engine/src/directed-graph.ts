/**
 * The few graph algorithms validation needs, over nodes numbered 0..n-1. Every one is iterative
 * (explicit stacks, no recursion), so a legal graph of any size cannot overflow the call stack —
 * graphlib's recursive Tarjan did at a 3,000-node chain.
 * @module
 */

/** A directed graph as adjacency lists: `successors[i]` are the targets of edges leaving node i. */
export class DirectedGraph {
  readonly successors: number[][];
  readonly predecessors: number[][];

  constructor(readonly size: number) {
    this.successors = Array.from({ length: size }, () => []);
    this.predecessors = Array.from({ length: size }, () => []);
  }

  addEdge(source: number, target: number): void {
    this.successors[source]?.push(target);
    this.predecessors[target]?.push(source);
  }

  /**
   * Strongly connected components that form cycles (two or more nodes, or one node with an edge to
   * itself), by Tarjan's algorithm run with an explicit stack. Members are listed in discovery order.
   */
  findCycles(): number[][] {
    const n = this.size;
    const index = new Int32Array(n).fill(-1);
    const low = new Int32Array(n);
    const onStack = new Uint8Array(n);
    const stack: number[] = [];
    const cycles: number[][] = [];
    let counter = 0;
    // Each frame: a node and how far through its successors it is.
    const frames: number[] = [];
    for (let root = 0; root < n; root++) {
      if (index[root] !== -1) continue;
      frames.push(root, 0);
      while (frames.length > 0) {
        const at = frames.length - 2;
        const v = frames[at] as number;
        const next = frames[at + 1] as number;
        if (next === 0 && index[v] === -1) {
          index[v] = low[v] = counter++;
          stack.push(v);
          onStack[v] = 1;
        }
        const successors = this.successors[v] as number[];
        if (next < successors.length) {
          frames[at + 1] = next + 1;
          const w = successors[next] as number;
          if (index[w] === -1) frames.push(w, 0);
          else if (onStack[w]) low[v] = Math.min(low[v] as number, index[w] as number);
          continue;
        }
        frames.length = at;
        if (at > 0) {
          const parent = frames[at - 2] as number;
          low[parent] = Math.min(low[parent] as number, low[v] as number);
        }
        if (low[v] !== index[v]) continue;
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || successors.includes(v)) cycles.push(component.reverse());
      }
    }
    return cycles;
  }

  /** 1 for every node reachable from `from` (itself included), 0 elsewhere; iterative. */
  reachableFrom(from: number): Uint8Array {
    const seen = new Uint8Array(this.size);
    if (from < 0 || from >= this.size) return seen;
    const stack = [from];
    seen[from] = 1;
    while (stack.length > 0) {
      for (const w of this.successors[stack.pop() as number] as number[]) {
        if (seen[w] === 0) {
          seen[w] = 1;
          stack.push(w);
        }
      }
    }
    return seen;
  }

  /**
   * The topological order that takes the lowest-numbered ready node first (declaration order
   * between independent nodes); undefined when the graph has a cycle.
   */
  stableTopologicalOrder(): number[] | undefined {
    const pending = Int32Array.from(this.predecessors, (p) => p.length);
    const heap: number[] = [];
    const push = (v: number) => {
      heap.push(v);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if ((heap[parent] as number) <= (heap[i] as number)) break;
        [heap[parent], heap[i]] = [heap[i] as number, heap[parent] as number];
        i = parent;
      }
    };
    const pop = (): number => {
      const top = heap[0] as number;
      const last = heap.pop() as number;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && (heap[l] as number) < (heap[m] as number)) m = l;
          if (r < heap.length && (heap[r] as number) < (heap[m] as number)) m = r;
          if (m === i) break;
          [heap[m], heap[i]] = [heap[i] as number, heap[m] as number];
          i = m;
        }
      }
      return top;
    };
    for (let i = 0; i < this.size; i++) if (pending[i] === 0) push(i);
    const order: number[] = [];
    while (heap.length > 0) {
      const v = pop();
      order.push(v);
      for (const w of this.successors[v] as number[]) if (--(pending[w] as number) === 0) push(w);
    }
    return order.length === this.size ? order : undefined;
  }

  /** A topological order (Kahn's algorithm); undefined when the graph has a cycle. */
  topologicalOrder(): number[] | undefined {
    const pending = Int32Array.from(this.predecessors, (p) => p.length);
    const order: number[] = [];
    for (let i = 0; i < this.size; i++) if (pending[i] === 0) order.push(i);
    for (let k = 0; k < order.length; k++) {
      for (const w of this.successors[order[k] as number] as number[]) {
        if (--(pending[w] as number) === 0) order.push(w);
      }
    }
    return order.length === this.size ? order : undefined;
  }

  /**
   * For an acyclic graph, who is upstream of whom: one bit set per node (n² bits — 3 MB at 5,000
   * nodes — where sets of ids took gigabytes on long chains). Undefined when the graph has a cycle.
   */
  ancestors(): AncestorSets | undefined {
    const order = this.topologicalOrder();
    if (order === undefined) return undefined;
    const words = Math.ceil(this.size / 32);
    const bits = new Uint32Array(this.size * words);
    for (const v of order) {
      const own = v * words;
      for (const p of this.predecessors[v] as number[]) {
        const from = p * words;
        for (let k = 0; k < words; k++) bits[own + k] = (bits[own + k] as number) | (bits[from + k] as number);
        bits[own + (p >>> 5)] = (bits[own + (p >>> 5)] as number) | (1 << (p & 31));
      }
    }
    return new AncestorSets(bits, words);
  }
}

/** Upstream relation of an acyclic graph (see {@link DirectedGraph.ancestors}). */
export class AncestorSets {
  constructor(
    readonly bits: Uint32Array,
    readonly words: number,
  ) {}

  /** Whether `ancestor` is (transitively) upstream of `node`. */
  has(node: number, ancestor: number): boolean {
    return (((this.bits[node * this.words + (ancestor >>> 5)] as number) >>> (ancestor & 31)) & 1) === 1;
  }
}
