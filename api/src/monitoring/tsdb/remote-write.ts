// POST /api/monitoring/prometheus/api/v1/write: Prometheus remote-write into the store, answered with the statuses
// Prometheus' own receiver uses (204; 400 for a body it cannot use, which a sender drops instead of retrying, with
// the receiver's reason as the problem's detail: a sender logs the body, and the refusal is audited like any other).
// The handler is spread into the 'monitoring/prometheus' family's manifest (../prometheus-api.ts).
import type { Readable } from 'node:stream';
import type { Deps } from '../../platform/deps.js';
import type { HandlersOf } from '../../platform/operations/context.js';
import { Problem } from '../../platform/problems.js';
import type { Labels, Point } from '../types.js';
import { tsdb } from './index.js';
import { LABEL_NAME, METRIC_NAME, reservedLabel } from './labels.js';
import { MAX_FUTURE_MS } from './points.js';
import { BadWriteRequest, decodeWriteRequest } from './write-request.js';

/** The most a compressed body may hold (Prometheus sends at most max_samples_per_send, 2,000 by default). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

async function readBody(stream: Readable | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream ?? []) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new Problem(
        413,
        'PayloadTooLarge',
        'The request body is too large',
        `The limit is ${MAX_BODY_BYTES} bytes.`,
      );
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const refusal = (reason: string) =>
  new Problem(400, 'InvalidWriteRequest', 'The remote-write request cannot be stored', reason);

/** The store's points of a WriteRequest's series; the first invalid series is the 400's reason. */
function pointsOf(series: ReturnType<typeof decodeWriteRequest>['timeseries'], now: number): Point[] {
  const points: Point[] = [];
  for (const ts of series) {
    let name: string | undefined;
    const labels: Labels = {};
    for (const l of ts.labels) {
      if (l.name === '__name__') name = l.value;
      else if (!LABEL_NAME.test(l.name)) throw new BadWriteRequest(`invalid label name ${JSON.stringify(l.name)}`);
      else if (reservedLabel(l.name)) throw new BadWriteRequest(`reserved label name ${JSON.stringify(l.name)}`);
      else labels[l.name] = l.value;
    }
    if (name === undefined) throw new BadWriteRequest('a series has no __name__ label');
    if (!METRIC_NAME.test(name)) throw new BadWriteRequest(`invalid metric name ${JSON.stringify(name)}`);
    for (const s of ts.samples) {
      if (s.timestamp > now + MAX_FUTURE_MS)
        throw new BadWriteRequest(`out of bounds: a sample of ${name} is more than 10 minutes in the future`);
      points.push({ name, labels, value: s.value, timestamp: s.timestamp });
    }
  }
  return points;
}

export function remoteWriteHandlers(deps: Deps): HandlersOf<'prometheusRemoteWrite'> {
  return {
    async prometheusRemoteWrite(ctx) {
      const body = await readBody(ctx.stream);
      let decoded;
      let points: Point[];
      try {
        decoded = decodeWriteRequest(body);
        points = pointsOf(decoded.timeseries, deps.clock.now());
      } catch (e) {
        if (e instanceof BadWriteRequest) throw refusal(e.message);
        throw e;
      }
      const metadata = Object.keys(decoded.metadata).length ? decoded.metadata : undefined;
      await ctx.transaction((trx) => tsdb(deps).writeIn(trx, ctx.principal.userId, points, metadata));
      ctx.audit = { details: { series: decoded.timeseries.length, samples: points.length } };
      return { status: 204 };
    },
  };
}
