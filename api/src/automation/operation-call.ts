// An API call an engine will make later (a scheduled task's target, a workflow's Task), checked against the contract
// when it is stored: a call that could never run is refused then, with a pointer, not discovered at 3 a.m.
import type { Pipeline } from '../platform/operations/pipeline.js';
import { checkParameters } from '../platform/operations/input-rules.js';
import { fieldErrors } from '../platform/operations/validation.js';
import { Problem, type FieldError } from '../platform/problems.js';

export interface PlannedCall {
  operation_id: string;
  params?: Record<string, unknown>;
  body?: unknown;
}

/** Where the call's parts are in the request body, for the pointers. */
export interface CallPointers {
  operation: string;
  params: string;
  body: string;
}

/** Parts filled in only when the call is made (a workflow's `.$` paths): their names are checked, not their values. */
export interface Dynamic {
  params?: boolean;
  body?: boolean;
}

const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Path and query parameters as a URL carries them (the pipeline coerces them as it does a request's). */
export const asStrings = (params: Record<string, unknown> | undefined) =>
  Object.fromEntries(Object.entries(params ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));

/** Every reason `call` could never run; empty when the contract accepts it. */
export function callProblems(
  pipeline: Pipeline,
  call: PlannedCall,
  at: CallPointers,
  dynamic: Dynamic = {},
): FieldError[] {
  const id = call.operation_id;
  const op = pipeline.byId.get(id);
  if (!op || op.meta.anonymous)
    return [{ pointer: at.operation, detail: `${id} is not an operation of this API`, code: 'UnknownOperation' }];
  if (op.raw)
    return [
      {
        pointer: at.operation,
        detail: `${id} streams its body and cannot be called this way`,
        code: 'UnsupportedOperation',
      },
    ];
  const params = asStrings(call.params);
  try {
    checkParameters(params, op.parameterNames, op.repeatable);
  } catch (e) {
    if (e instanceof Problem && e.errors)
      return e.errors.map((x) => ({
        pointer: `${at.params}/${esc(x.pointer)}`,
        detail: x.detail,
        code: x.code ?? 'InvalidValue',
      }));
    throw e;
  }
  if (!dynamic.params && !op.v.params(params)) return fieldErrors(op.v.params.errors, at.params);
  if (!op.v.body)
    return call.body === undefined ? [] : [{ pointer: at.body, detail: `${id} takes no body`, code: 'UnexpectedBody' }];
  if (call.body === undefined)
    return op.v.bodyRequired && !dynamic.body
      ? [{ pointer: at.body, detail: `${id} requires a body`, code: 'Required' }]
      : [];
  if (!dynamic.body && !op.v.body(structuredClone(call.body))) return fieldErrors(op.v.body.errors, at.body);
  return [];
}
