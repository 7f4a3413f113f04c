// A POST /api/monitoring/metrics batch, checked beyond its schema (label names, times against the platform clock)
// and turned into the store's points. Every problem of the batch is reported at once, each with its pointer.
import { problems } from '../../platform/problems.js';
import type { Labels, MetricMetadata, Point } from '../types.js';
import { LABEL_NAME, reservedLabel } from './labels.js';

/** How far ahead of platform time a point may be stamped (clock skew between a client and the platform). */
export const MAX_FUTURE_MS = 10 * 60_000;

export interface BatchBody {
  points: { name: string; labels?: Labels; value: number | 'NaN'; timestamp: number | string }[];
  metadata?: Record<string, Partial<MetricMetadata> & { type: MetricMetadata['type'] }>;
}

type FieldError = { pointer: string; detail: string; code: string };

/** Milliseconds since the epoch from RFC 3339 text or a number of milliseconds (NaN when neither). */
export function timeOf(raw: number | string): number {
  if (typeof raw === 'number') return raw;
  if (/^\d+$/.test(raw)) return Number(raw);
  return Date.parse(raw);
}

export function pointsOf(body: BatchBody, now: number): { points: Point[]; metadata?: Record<string, MetricMetadata> } {
  const errors: FieldError[] = [];
  const points = body.points.map((p, i): Point => {
    const labels = p.labels ?? {};
    for (const name of Object.keys(labels)) {
      const pointer = `/points/${i}/labels/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!LABEL_NAME.test(name))
        errors.push({ pointer, detail: 'is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)', code: 'Pattern' });
      else if (reservedLabel(name))
        errors.push({ pointer, detail: 'is reserved: label names beginning with __ are internal', code: 'Reserved' });
    }
    const timestamp = timeOf(p.timestamp);
    if (!Number.isFinite(timestamp))
      errors.push({ pointer: `/points/${i}/timestamp`, detail: 'is not an RFC 3339 time', code: 'Format' });
    else if (timestamp > now + MAX_FUTURE_MS)
      errors.push({
        pointer: `/points/${i}/timestamp`,
        detail: `is more than ${MAX_FUTURE_MS / 60_000} minutes ahead of platform time (${new Date(now).toISOString()})`,
        code: 'TooFarInFuture',
      });
    const value = p.value === 'NaN' ? NaN : p.value;
    if (typeof value === 'number' && !Number.isNaN(value) && !Number.isFinite(value))
      errors.push({ pointer: `/points/${i}/value`, detail: 'must be finite or "NaN"', code: 'NotFinite' });
    return { name: p.name, labels, value, timestamp };
  });
  const metadata = body.metadata && metadataOf(body.metadata, errors);
  if (errors.length) throw problems.validation(errors);
  return { points, metadata };
}

function metadataOf(raw: NonNullable<BatchBody['metadata']>, errors: FieldError[]): Record<string, MetricMetadata> {
  const out: Record<string, MetricMetadata> = {};
  for (const [name, m] of Object.entries(raw)) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name))
      errors.push({ pointer: `/metadata/${name}`, detail: 'is not a metric name', code: 'Pattern' });
    out[name] = { type: m.type, help: m.help ?? '', unit: m.unit ?? '' };
  }
  return out;
}
