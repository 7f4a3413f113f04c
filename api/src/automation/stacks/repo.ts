// The stacks table's generic repository, and the types of its rows.
import { registry } from '../../generated/registry.js';
import { ResourceRepo, type Schemas, type StoredRow } from '../../platform/resources/repo.js';
import type { Json } from './model.js';

/** Columns beyond the schema: what the current (or last) run does, and its number (part of each step's key). */
type StackColumns = { operation: 'create' | 'update' | 'delete'; run: number; template: Record<string, Json> };

export type StackStatus = Schemas['StackStatus'];
export type StackRow = StoredRow<Schemas['Stack'], StackColumns>;

export const stacks = new ResourceRepo<Schemas['Stack'], StackColumns>(registry.stack);
