// What a dashboard must be beyond its schema: panels inside the 24-column grid and not overlapping, queries that the
// PromQL engine accepts, a reduction only where one is drawn, and a time range whose start comes before its end.
import type { FieldError } from '../../platform/problems.js';
import { problems } from '../../platform/problems.js';
import type { Schemas } from '../../platform/resources/repo.js';
import { parse, PromQLError } from '../promql/index.js';

type Panel = Schemas['DashboardPanel'];
type TimeRange = Schemas['DashboardTimeRange'];

export const GRID_COLUMNS = 24;

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 };
const RELATIVE = /^now(?:-(\d{1,6})([smhdw]))?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** One end of a time range as milliseconds at `nowMs`, or undefined when it is neither relative nor RFC 3339. */
export function resolveTime(text: string, nowMs: number): number | undefined {
  const rel = RELATIVE.exec(text);
  if (rel) return rel[1] ? nowMs - Number(rel[1]) * UNIT_MS[rel[2]!]! : nowMs;
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function timeRangeErrors(range: TimeRange, nowMs: number): FieldError[] {
  const errors: FieldError[] = [];
  const ends = { from: resolveTime(range.from, nowMs), to: resolveTime(range.to, nowMs) };
  for (const end of ['from', 'to'] as const)
    if (ends[end] === undefined)
      errors.push({
        pointer: `/time_range/${end}`,
        detail: 'must be now, now-<n><s|m|h|d|w> (now-6h) or an RFC 3339 instant',
        code: 'InvalidTimeRange',
      });
  if (!errors.length && ends.from! >= ends.to!)
    errors.push({ pointer: '/time_range/from', detail: `must be before to (${range.to})`, code: 'InvalidTimeRange' });
  return errors;
}

const overlaps = (a: Panel['grid_pos'], b: Panel['grid_pos']) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

function panelErrors(panels: Panel[]): FieldError[] {
  const errors: FieldError[] = [];
  panels.forEach((p, i) => {
    const at = `/panels/${i}`;
    const g = p.grid_pos;
    if (g.x + g.w > GRID_COLUMNS)
      errors.push({
        pointer: `${at}/grid_pos/w`,
        detail: `x + w is ${g.x + g.w}, past the grid's ${GRID_COLUMNS} columns`,
        code: 'OutsideGrid',
      });
    const hit = panels.findIndex((q, j) => j < i && overlaps(q.grid_pos, g));
    if (hit >= 0)
      errors.push({
        pointer: `${at}/grid_pos`,
        detail: `overlaps panel ${hit} ("${panels[hit]!.title}")`,
        code: 'PanelsOverlap',
      });
    if (p.reduction !== undefined && p.type !== 'stat')
      errors.push({ pointer: `${at}/reduction`, detail: 'is for stat panels only', code: 'InvalidValue' });
    p.queries.forEach((q, k) => {
      try {
        parse(q.expr);
      } catch (err) {
        if (!(err instanceof PromQLError)) throw err;
        errors.push({ pointer: `${at}/queries/${k}/expr`, detail: err.message, code: 'InvalidQuery' });
      }
    });
  });
  return errors;
}

/** Refuses (422, every problem named by its pointer) a dashboard's panels or time range that cannot be drawn. */
export function checkDashboard(d: { panels?: Panel[] | null; time_range?: TimeRange | null }, nowMs: number): void {
  const errors = [...panelErrors(d.panels ?? []), ...(d.time_range ? timeRangeErrors(d.time_range, nowMs) : [])];
  if (errors.length) throw problems.validation(errors);
}
