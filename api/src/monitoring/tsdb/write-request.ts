// Prometheus remote-write 1.0's WriteRequest (prompb: types.proto and remote.proto), as a protobufjs reflection
// schema, and its decoding from a snappy-compressed (block format) body into the store's points and metadata.
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import type { MetricMetadata } from '../types.js';

const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: {
          fields: {
            timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 },
            metadata: { rule: 'repeated', type: 'MetricMetadata', id: 3 },
          },
        },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
        MetricMetadata: {
          fields: {
            type: { type: 'MetricType', id: 1 },
            metric_family_name: { type: 'string', id: 2 },
            help: { type: 'string', id: 4 },
            unit: { type: 'string', id: 5 },
          },
        },
        MetricType: {
          values: {
            UNKNOWN: 0,
            COUNTER: 1,
            GAUGE: 2,
            HISTOGRAM: 3,
            GAUGEHISTOGRAM: 4,
            SUMMARY: 5,
            INFO: 6,
            STATESET: 7,
          },
        },
      },
    },
  },
});
const WriteRequest = root.lookupType('prometheus.WriteRequest');
const TYPES: MetricMetadata['type'][] = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
];

export interface DecodedSeries {
  labels: { name: string; value: string }[];
  samples: { value: number; timestamp: number }[];
}

export interface Decoded {
  timeseries: DecodedSeries[];
  metadata: Record<string, MetricMetadata>;
}

/** Why a body could not be used: Prometheus' receiver answers these as 400 with the reason as plain text. */
export class BadWriteRequest extends Error {}

type Long = { toNumber(): number };
const num = (x: number | Long | undefined | null) => (x == null ? 0 : typeof x === 'number' ? x : x.toNumber());

export function decodeWriteRequest(body: Buffer): Decoded {
  let raw: Uint8Array;
  try {
    raw = snappy.uncompress(body);
  } catch (e) {
    throw new BadWriteRequest(`snappy decode error: ${(e as Error).message}`);
  }
  let msg: any;
  try {
    msg = WriteRequest.decode(raw);
  } catch (e) {
    throw new BadWriteRequest(`protobuf decode error: ${(e as Error).message}`);
  }
  const metadata: Record<string, MetricMetadata> = {};
  for (const m of msg.metadata ?? [])
    if (m.metric_family_name)
      metadata[m.metric_family_name] = {
        type: TYPES[m.type ?? 0] ?? 'unknown',
        help: m.help ?? '',
        unit: m.unit ?? '',
      };
  return {
    timeseries: (msg.timeseries ?? []).map((ts: any) => ({
      labels: (ts.labels ?? []).map((l: any) => ({ name: l.name ?? '', value: l.value ?? '' })),
      samples: (ts.samples ?? []).map((s: any) => ({ value: s.value ?? 0, timestamp: num(s.timestamp) })),
    })),
    metadata,
  };
}

/** A WriteRequest, snappy-compressed: what a remote-write client sends (tests and the benchmark send these). */
export function encodeWriteRequest(req: {
  timeseries: DecodedSeries[];
  metadata?: { type: number; metric_family_name: string; help: string; unit: string }[];
}): Buffer {
  return Buffer.from(snappy.compress(WriteRequest.encode(WriteRequest.fromObject(req)).finish()));
}
