// The rules every request's input obeys before any schema sees it, for every operation and every caller: strings
// hold no NUL and no lone surrogate (neither is valid in PostgreSQL text or UTF-8), parameters are the ones the
// operation declares, each given once, and an Idempotency-Key is not blank.
import type { FieldError } from '../problems.js';
import { problems } from '../problems.js';

type WellFormed = { isWellFormed(): boolean };

/** Why a string breaks the rule, if it does. */
export function stringFault(s: string): string | undefined {
  if (s.includes('\u0000')) return 'may not contain a NUL character (U+0000)';
  if (!(s as unknown as WellFormed).isWellFormed()) return 'may not contain a lone surrogate (not a Unicode character)';
  return undefined;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The first string of a JSON value (object keys included) that breaks the rule, with its JSON pointer. Iterative,
 * so a deeply nested body cannot exhaust the stack.
 */
export function badString(value: unknown): FieldError | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, pointer] = stack.pop()!;
    if (typeof v === 'string') {
      const why = stringFault(v);
      if (why) return { pointer, detail: why, code: 'InvalidString' };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${pointer}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const at = `${pointer}/${escapePointer(k)}`;
        const why = stringFault(k);
        if (why) return { pointer: at, detail: `(the member's name) ${why}`, code: 'InvalidString' };
        stack.push([child, at]);
      }
    }
  }
  return undefined;
}

/**
 * Parameters: only the declared ones (a misspelt filter must not widen a list to everything), each once (unless
 * its schema is an array: `match[]`), and strings by the rule above. Refused as one 400 naming the parameter and, for an unknown one, the accepted names.
 */
export function checkParameters(
  params: Record<string, unknown>,
  declared: ReadonlySet<string>,
  repeatable: ReadonlySet<string> = new Set(),
): void {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (!declared.has(name)) {
      const accepted = [...declared].join(', ') || 'none';
      errors.push({
        pointer: name,
        detail: `is not a parameter of this operation (it takes: ${accepted})`,
        code: 'UnknownParameter',
      });
      continue;
    }
    if (Array.isArray(value) && !repeatable.has(name)) {
      errors.push({ pointer: name, detail: 'is given more than once', code: 'RepeatedParameter' });
      continue;
    }
    // A repeatable parameter (match[]) is always an array, whether it came once or many times.
    if (repeatable.has(name) && !Array.isArray(value)) params[name] = [value];
    for (const v of [value].flat()) {
      const why = typeof v === 'string' ? stringFault(v) : undefined;
      if (why) errors.push({ pointer: name, detail: why, code: 'InvalidString' });
    }
  }
  if (errors.length) throw problems.invalidParameter(errors);
}

/** An Idempotency-Key that is present must say something: a blank one would silently key nothing. */
export function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && key.trim() === '') {
    throw problems.invalidParameter([
      { pointer: 'Idempotency-Key', detail: 'may not be empty or blank', code: 'Blank' },
    ]);
  }
}
