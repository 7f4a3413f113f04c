// A constraint the database enforces is a rule like any other: when a write reaches one (a reference to nothing, a
// duplicate, a missing value), the caller gets the problem it means, with the field's pointer, never a 500.
import { Problem, problems } from '../problems.js';

interface PgError {
  code?: string;
  detail?: string;
  column?: string;
  constraint?: string;
  table?: string;
}

/** `Key (subnet_id)=(x) is not present ...` -> `subnet_id`; `Key (owner, name)=(...)` -> the first column. */
const keyColumn = (detail: string | undefined) => /Key \(([^,)]+)/.exec(detail ?? '')?.[1]?.replace(/"/g, '');

/** `Key (alias)=(www.example.com) already exists.` -> `www.example.com` */
const keyValue = (detail: string | undefined) => /=\((.*)\)/.exec(detail ?? '')?.[1];

/**
 * Where in the request body a duplicated value came from: a field holding it, or an item of an array field (a
 * distribution's `aliases`, kept unique in a table of their own), so the pointer names what the caller sent.
 */
function pointerOf(column: string, value: string | undefined, body: unknown): string {
  if (value !== undefined && body && typeof body === 'object') {
    for (const [field, v] of Object.entries(body as Record<string, unknown>)) {
      if (v === value) return `/${field}`;
      if (Array.isArray(v)) {
        const i = v.findIndex((x) => typeof x === 'string' && x.toLowerCase() === value.toLowerCase());
        if (i >= 0) return `/${field}/${i}`;
      }
    }
  }
  return `/${column}`;
}

/**
 * The problem a database error means, or undefined for one that is a fault of ours (a 500). `body` is the
 * request's, for pointing at the part of it a duplicate came from.
 */
export function problemFromDatabase(err: unknown, body?: unknown): Problem | undefined {
  const e = err as PgError;
  if (typeof e?.code !== 'string' || e.code.length !== 5) return undefined;
  switch (e.code) {
    case '23503': {
      // foreign_key_violation: a reference to something that does not exist (or, on delete, is still used)
      const field = keyColumn(e.detail);
      if (e.detail?.includes('is still referenced'))
        return problems.conflict(`The resource is still in use (${e.table ?? 'another resource'} refers to it).`);
      return field ? problems.referenceNotFound(field, /=\((.*)\)/.exec(e.detail ?? '')?.[1] ?? '') : undefined;
    }
    case '23505': {
      // unique_violation
      const field = keyColumn(e.detail) ?? 'id';
      const value = keyValue(e.detail);
      return problems.conflict(`A resource with this ${field}${value ? ` (${value})` : ''} already exists.`, [
        { pointer: pointerOf(field, value, body), detail: 'is already taken', code: 'AlreadyExists' },
      ]);
    }
    case '23502': // not_null_violation
      return e.column
        ? problems.validation([{ pointer: `/${e.column}`, detail: 'is required', code: 'Required' }])
        : undefined;
    case '23514': // check_violation
      return problems.validation([
        { pointer: '', detail: `breaks the rule ${e.constraint ?? 'of its table'}`, code: 'Invalid' },
      ]);
    case '22P02': // invalid_text_representation (a value the column's type cannot hold, such as a bad inet)
    case '22007': // invalid_datetime_format
    case '22008': // datetime_field_overflow
    case '22003': // numeric_value_out_of_range
      return problems.validation([
        { pointer: '', detail: 'holds a value out of range for its field', code: 'Invalid' },
      ]);
    default:
      return undefined;
  }
}
