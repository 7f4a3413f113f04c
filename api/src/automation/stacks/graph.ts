// The dependency graph of a template: who needs whom, an order that respects it, and the first cycle if any.
import { references } from './expressions.js';
import type { Model } from './template-model.js';

export type Graph = Map<string, Set<string>>;

/** Dependencies of each resource: DependsOn plus every resource its properties reference. */
export function dependencies(model: Model): Graph {
  const isParam = (n: string) => n in model.parameters && !(n in model.resources);
  const g: Graph = new Map();
  for (const r of Object.values(model.resources)) {
    const deps = new Set(r.dependsOn);
    for (const ref of references(r.properties, [], isParam)) if (ref.kind === 'resource') deps.add(ref.name);
    deps.delete(r.logicalId);
    g.set(r.logicalId, deps);
  }
  return g;
}

/** A cycle as a path (a -> b -> a), or undefined. Only edges between known nodes count. */
export function findCycle(g: Graph): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of g.get(n) ?? []) {
      if (!g.has(d)) continue;
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of [...g.keys()].sort()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

/** Nodes in an order where every node comes after its dependencies (ties by name, so runs are reproducible). */
export function topoOrder(g: Graph): string[] {
  const out: string[] = [];
  const done = new Set<string>();
  const visit = (n: string) => {
    if (done.has(n)) return;
    done.add(n);
    for (const d of [...(g.get(n) ?? [])].sort()) if (g.has(d)) visit(d);
    out.push(n);
  };
  for (const n of [...g.keys()].sort()) visit(n);
  return out;
}

/** Runs `step` for every node once all its dependencies finished, at most `limit` at a time; stops at the first failure. */
export async function runGraph(g: Graph, limit: number, step: (node: string) => Promise<void>): Promise<void> {
  const pending = new Set(g.keys());
  const finished = new Set<string>();
  const running = new Map<string, Promise<void>>();
  let failure: unknown;
  while ((pending.size || running.size) && failure === undefined) {
    for (const n of [...pending].sort()) {
      if (running.size >= limit) break;
      if ([...(g.get(n) ?? [])].every((d) => finished.has(d) || !g.has(d))) {
        pending.delete(n);
        running.set(
          n,
          step(n)
            .then(
              () => {
                finished.add(n);
              },
              (e) => {
                failure ??= e;
              },
            )
            .finally(() => running.delete(n)),
        );
      }
    }
    if (!running.size) {
      if (pending.size) throw new Error(`cannot order: ${[...pending].join(', ')}`);
      break;
    }
    await Promise.race(running.values());
  }
  await Promise.all(running.values());
  if (failure !== undefined) throw failure;
}

/** The reverse graph: for deletes, a node waits for everything that depends on it. */
export function reversed(g: Graph): Graph {
  const r: Graph = new Map([...g.keys()].map((k) => [k, new Set<string>()]));
  for (const [n, deps] of g) for (const d of deps) if (r.has(d)) r.get(d)!.add(n);
  return r;
}
