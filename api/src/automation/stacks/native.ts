// The native template format (CloudFormation-like): Parameters, Conditions, Resources, Outputs.
import type { FieldError } from '../../platform/problems.js';
import type { Json, Model, ParamType } from './template-model.js';
import { kindForNativeLookup, kindForNativeType } from './type-names.js';

const PARAM_TYPES: ParamType[] = ['String', 'Number', 'CommaDelimitedList', 'Boolean'];
const obj = (v: Json | undefined): Record<string, Json> => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});

export function parseNative(doc: Record<string, Json>, base: string, errors: FieldError[]): Model {
  const model: Model = {
    format: 'native',
    parameters: {},
    conditions: obj(doc.Conditions),
    resources: {},
    outputs: {},
  };
  for (const key of Object.keys(doc)) {
    if (!['Description', 'Parameters', 'Conditions', 'Lookups', 'Resources', 'Outputs', 'Metadata'].includes(key)) {
      errors.push({
        pointer: `${base}/${key}`,
        detail: 'is not a section of a template (Parameters, Conditions, Lookups, Resources, Outputs)',
        code: 'UnknownSection',
      });
    }
  }
  for (const [name, p] of Object.entries(obj(doc.Parameters))) {
    const spec = obj(p);
    const type = (spec.Type ?? 'String') as ParamType;
    if (!PARAM_TYPES.includes(type))
      errors.push({
        pointer: `${base}/Parameters/${name}/Type`,
        detail: `must be one of: ${PARAM_TYPES.join(', ')}`,
        code: 'NotInEnum',
      });
    model.parameters[name] = {
      type,
      default: spec.Default,
      allowed: Array.isArray(spec.AllowedValues) ? spec.AllowedValues : undefined,
      description: typeof spec.Description === 'string' ? spec.Description : undefined,
      pointer: `${base}/Parameters/${name}`,
    };
  }
  const resources = obj(doc.Resources);
  if (Object.keys(resources).length === 0)
    errors.push({ pointer: `${base}/Resources`, detail: 'must declare at least one resource', code: 'Required' });
  for (const [id, r] of Object.entries(resources)) {
    const spec = obj(r);
    const pointer = `${base}/Resources/${id}`;
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(id))
      errors.push({
        pointer,
        detail: 'a logical id must be alphanumeric and start with a letter',
        code: 'InvalidName',
      });
    const type = String(spec.Type ?? '');
    const dependsOn =
      spec.DependsOn === undefined
        ? []
        : Array.isArray(spec.DependsOn)
          ? spec.DependsOn.map(String)
          : [String(spec.DependsOn)];
    model.resources[id] = {
      logicalId: id,
      type,
      kind: kindForNativeType(type),
      lookup: false,
      properties: obj(spec.Properties),
      dependsOn,
      condition: typeof spec.Condition === 'string' ? spec.Condition : undefined,
      pointer,
      propertiesPointer: `${pointer}/Properties`,
    };
    if (!type) errors.push({ pointer: `${pointer}/Type`, detail: 'is required', code: 'Required' });
  }
  // Lookups find existing resources (a flavor by name, a shared VPC) for Ref and GetAtt, like Terraform's data blocks.
  for (const [id, r] of Object.entries(obj(doc.Lookups))) {
    const spec = obj(r);
    const pointer = `${base}/Lookups/${id}`;
    const type = String(spec.Type ?? '');
    if (id in model.resources)
      errors.push({ pointer, detail: `${id} is also the name of a resource`, code: 'Duplicate' });
    model.resources[id] = {
      logicalId: id,
      type,
      kind: kindForNativeLookup(type),
      lookup: true,
      properties: obj(spec.Properties),
      dependsOn: [],
      pointer,
      propertiesPointer: `${pointer}/Properties`,
    };
  }
  for (const [name, o] of Object.entries(obj(doc.Outputs))) {
    const spec = obj(o);
    model.outputs[name] = {
      value: spec.Value ?? null,
      condition: typeof spec.Condition === 'string' ? spec.Condition : undefined,
      pointer: `${base}/Outputs/${name}/Value`,
    };
  }
  return model;
}
