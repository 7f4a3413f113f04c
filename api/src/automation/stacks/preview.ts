// Preview: the action each resource would see, with before and after values, without changing anything.
import { ResourceCalls } from './api-calls.js';
import { diffProperties, readDocuments, type Action } from './diff.js';
import { evaluate, isPending, type EvalContext } from './expressions.js';
import { dependencies, topoOrder } from './graph.js';
import type { Json, Model } from './template-model.js';
import type { ResourceRow } from './store.js';
import { parameterValues } from './parse-template.js';

export interface PlannedChange {
  logical_id: string;
  type: string;
  action: Action | 'delete';
  physical_id: string | null;
  replace_fields?: string[];
  before: Record<string, Json> | null;
  after: Record<string, Json> | null;
}

export async function preview(
  model: Model,
  given: Record<string, string>,
  rows: Map<string, ResourceRow>,
  calls: ResourceCalls,
): Promise<PlannedChange[]> {
  const params = parameterValues(model, given);
  const known = new Map<string, Record<string, Json>>();
  const ctx: EvalContext = {
    param: (n) => params[n] ?? null,
    declared: (n) => n in model.resources,
    resource: (n) => known.get(n),
    condition: (n) => evaluate(model.conditions[n] ?? false, ctx) === true,
  };
  const out: PlannedChange[] = [];
  for (const id of topoOrder(dependencies(model))) {
    const spec = model.resources[id]!;
    if (spec.condition && !ctx.condition(spec.condition)) continue;
    const evaluated = evaluate(spec.properties, ctx) as Record<string, Json>;
    const after = spec.lookup ? evaluated : readDocuments(spec.kind!, evaluated);
    if (spec.lookup) {
      // Lookups only read, so a preview performs them: later values can then show real ids.
      if (!isPending(after)) known.set(id, await calls.lookup(spec.kind!, after).catch(() => ({})));
      continue;
    }
    const row = rows.get(id);
    const change = diffProperties(spec.kind!, row?.physical_id ? row.properties : null, after);
    const pending = isPending(after) && change.action !== 'create';
    const action: Action = pending && change.action === 'none' ? 'update' : change.action;
    if (action === 'none' && row?.attributes) known.set(id, row.attributes);
    out.push({
      logical_id: id,
      type: spec.type,
      action,
      physical_id: row?.physical_id ?? null,
      replace_fields: change.replaceFields,
      before: row?.properties ?? null,
      after,
    });
  }
  for (const row of rows.values()) {
    if (model.resources[row.logical_id]) continue;
    out.push({
      logical_id: row.logical_id,
      type: row.type,
      action: 'delete',
      physical_id: row.physical_id,
      before: row.properties,
      after: null,
    });
  }
  return out;
}
