// Silences: label matchers that hold back matching alerts' notifications from starts_at to ends_at (their state is
// read from platform time). The evaluator consults them (silences-match.ts); alerts still change state under them.
import type { Deps } from '../../platform/deps.js';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import { problems, type FieldError } from '../../platform/problems.js';
import { deleteHandler, getHandler, listHandler, patchHandler } from '../../platform/resources/crud.js';
import { withDefaults, type Row } from '../../platform/resources/repo.js';
import { regexError } from './silences-match.js';
import { silences } from './repos.js';

/** 422s: an end not after the start, a regular expression that does not compile. */
function checkSilence(s: Row): void {
  const errors: FieldError[] = [];
  if (new Date(s.ends_at).getTime() <= new Date(s.starts_at).getTime())
    errors.push({ pointer: '/ends_at', detail: 'must be after starts_at', code: 'InvalidValue' });
  (s.matchers ?? []).forEach((m: Row, i: number) => {
    const op = m.op ?? '=';
    const bad = op === '=~' || op === '!~' ? regexError(m.value) : null;
    if (bad)
      errors.push({
        pointer: `/matchers/${i}/value`,
        detail: `is not a regular expression: ${bad}`,
        code: 'InvalidValue',
      });
  });
  if (errors.length) throw problems.validation(errors);
}

/** Matchers as stored: an op left out (or null, as Terraform sends it) stays out, and means `=`. */
const normal = (matchers: Row[]) =>
  matchers.map((m) => ({ name: m.name, ...(m.op != null ? { op: m.op } : {}), value: m.value }));

function silenceHandlers(deps: Deps): KindHandlers<'silence'> {
  const repo = silences(deps.clock);
  return {
    listSilences: listHandler(repo, ['name']),
    getSilence: getHandler(repo),
    deleteSilence: deleteHandler(repo),
    updateSilence: patchHandler(repo, async (_ctx, row, changes) => {
      if (changes.matchers) changes.matchers = normal(changes.matchers);
      checkSilence({ ...row, ...changes });
      return changes;
    }),
    async createSilence(ctx) {
      const values = withDefaults(repo.meta, ctx.body);
      values.starts_at ??= new Date(deps.clock.now()).toISOString();
      values.matchers = normal(values.matchers);
      checkSilence(values);
      const row = await repo.insert(ctx.db, { ...values, owner: ctx.principal.userId });
      ctx.audit = { resource_type: 'silence', resource_id: row.id };
      return {
        status: 201,
        body: repo.present(row),
        headers: { Location: repo.location(row.id), ETag: `"r${row.rev}"` },
      };
    },
  };
}

export const silenceKind = defineKind('silence', { handlers: silenceHandlers });
