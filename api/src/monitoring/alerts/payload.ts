// Alertmanager's webhook payload (version 4), byte for byte the shape Alertmanager 0.25 posts to a webhook receiver
// (checked against a real prometheus-alertmanager in alerts-alertmanager.test.ts), with the same fingerprint of an
// alert's labels (FNV-64a over the sorted names and values, each followed by 0xff), and the signature scheme.
import { createHmac } from 'node:crypto';
import type { Labels } from '../types.js';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;

/** Prometheus's LabelSet.Fingerprint as 16 hex digits (what Alertmanager answers as `fingerprint`). */
export function fingerprint(labels: Labels): string {
  let h = FNV_OFFSET;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK;
  };
  const sep = Uint8Array.of(0xff);
  for (const name of Object.keys(labels).sort()) {
    add(Buffer.from(name));
    add(sep);
    add(Buffer.from(labels[name]!));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}

/** An instant as Go writes time.Time in JSON (RFC 3339 with the fraction's trailing zeros dropped), as Alertmanager. */
export const goTime = (iso: string) => iso.replace(/(\.\d*?)0+Z$/, '$1Z').replace(/\.Z$/, 'Z');

/** Go's zero time, Alertmanager's `endsAt` of an alert still firing. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface NotifiedAlert {
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Record<string, string>;
  startsAt: string;
  /** set when resolved */
  endsAt: string | null;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookPayload {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: (Omit<NotifiedAlert, 'endsAt'> & { endsAt: string })[];
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

/** The pairs every map of `maps` holds with the same value (Alertmanager's commonLabels and commonAnnotations). */
function common(maps: Record<string, string>[]): Record<string, string> {
  if (!maps.length) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(maps[0]!)) if (maps.every((m) => m[k] === v)) out[k] = v;
  return out;
}

/** Go's %q of a label value inside a group key. */
const goQuote = (s: string) => JSON.stringify(s);

/**
 * One notification of a rule's group (the rule's alerts, grouped by `alertname` as Alertmanager's default route
 * does): firing while any alert in it fires, resolved when all are.
 */
export function webhookPayload(receiver: string, ruleName: string, alerts: NotifiedAlert[], externalURL: string) {
  const body: WebhookPayload = {
    receiver,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts: alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: goTime(a.startsAt),
      endsAt: a.endsAt ? goTime(a.endsAt) : ZERO_TIME,
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
    groupLabels: { alertname: ruleName },
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL,
    version: '4',
    groupKey: `{}:{alertname=${goQuote(ruleName)}}`,
    truncatedAlerts: 0,
  };
  return body;
}

/** The header a webhook request carries its signature in: `sha256=` and the hex of HMAC-SHA256(secret, body). */
export const SIGNATURE_HEADER = 'X-Atonix-Signature-256';

export const signature = (secret: string, body: string | Buffer) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
