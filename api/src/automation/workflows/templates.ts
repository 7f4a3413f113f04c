// Workflow payload templates (Parameters, ResultSelector, ItemSelector): checking and rendering their `key.$` fields.
import type { FieldError } from '../../platform/problems.js';
import { checkIntrinsic, evaluateIntrinsic } from './intrinsics.js';
import { PathError, checkPath, pointerToken, readPath, type Context, type Json } from './paths.js';

const isDynamic = (key: string) => key.endsWith('.$');

/** Each bad path or intrinsic in a template, pointed at by its key under `pointer`. */
export function checkTemplate(tpl: Json, pointer: string): FieldError[] {
  if (Array.isArray(tpl)) return tpl.flatMap((v, i) => checkTemplate(v, `${pointer}/${i}`));
  if (tpl === null || typeof tpl !== 'object') return [];
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(tpl)) {
    const at = `${pointer}/${pointerToken(key)}`;
    if (!isDynamic(key)) {
      errors.push(...checkTemplate(value, at));
      continue;
    }
    // "a.$" and "a" both render to "a": which one wins would be an accident of key order.
    if (Object.hasOwn(tpl, key.slice(0, -2)))
      errors.push({ pointer: at, detail: `duplicates the field ${key.slice(0, -2)}`, code: 'Duplicate' });
    if (typeof value !== 'string')
      errors.push({ pointer: at, detail: 'must be a string: a path or an intrinsic function', code: 'InvalidPath' });
    else if (value.startsWith('$')) {
      const bad = checkPath(value, { allowContext: true });
      if (bad !== null) errors.push({ pointer: at, detail: bad, code: 'InvalidPath' });
    } else {
      const bad = checkIntrinsic(value);
      if (bad !== null) errors.push({ pointer: at, detail: bad, code: 'InvalidIntrinsic' });
    }
  }
  return errors;
}

/** The template with each `key.$` replaced by `key` and the value of its path or intrinsic call. */
export function renderTemplate(tpl: Json, input: Json, ctx: Context): Json {
  if (Array.isArray(tpl)) return tpl.map((v) => renderTemplate(v, input, ctx));
  if (tpl === null || typeof tpl !== 'object') return tpl;
  // fromEntries defines own properties, so a "__proto__" key stays a plain field.
  return Object.fromEntries(
    Object.entries(tpl).map(([key, value]): [string, Json] => {
      if (!isDynamic(key)) return [key, renderTemplate(value, input, ctx)];
      if (typeof value !== 'string')
        throw new PathError(`${key}: must be a path or an intrinsic function`, 'InvalidPath');
      const v = value.startsWith('$') ? readPath(input, value, ctx) : evaluateIntrinsic(value, input, ctx);
      return [key.slice(0, -2), v];
    }),
  );
}
