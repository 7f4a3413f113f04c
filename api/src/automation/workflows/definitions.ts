// A definition as a request carries it (an object, or YAML/JSON text) made into the stored object, checked first.
import YAML from 'yaml';
import type { Deps } from '../../platform/deps.js';
import { problems } from '../../platform/problems.js';
import { callProblems } from '../operation-call.js';
import { checkDefinition, type OperationLookup } from './check.js';
import type { Json } from './paths.js';

/** A Task's call, checked against the contract as a scheduled task's target is. */
export const operationLookup =
  (deps: Deps): OperationLookup =>
  (call, at, dynamic) =>
    callProblems(deps.pipeline, call, at, dynamic);

/** The definition as an object; a 422 with a pointer for each problem (all of them) when it is not a valid machine. */
export function readDefinition(deps: Deps, given: unknown, pointer = '/definition'): Record<string, Json> {
  let doc = given;
  if (typeof given === 'string') {
    try {
      doc = YAML.parse(given, { maxAliasCount: 100 });
    } catch (e) {
      throw problems.validation([
        { pointer, detail: `is not YAML or JSON: ${(e as Error).message.split('\n')[0]}`, code: 'InvalidDefinition' },
      ]);
    }
  }
  const errors = checkDefinition(doc, operationLookup(deps), pointer);
  if (errors.length) throw problems.validation(errors);
  return doc as Record<string, Json>;
}
