// Series identity: Prometheus's name grammar, the owner label every stored series carries, and the key and
// fingerprint that name a series per owner (the key is the in-process cache's, the fingerprint the table's).
import { createHash } from 'node:crypto';
import type { Labels } from '../types.js';

/** Metric names (Prometheus data model): `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** Label names: `[a-zA-Z_][a-zA-Z0-9_]*`; those beginning with `__` are reserved for internal use. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const reservedLabel = (name: string) => name.startsWith('__');

/**
 * The labels stored for `owner`'s point: its own, with `owner` set to the owner; a point's own `owner` label that
 * differs is kept as `exported_owner` (Prometheus's rule for a scraped label that clashes with a target label).
 * Empty values are dropped: in Prometheus an empty label is the same as no label.
 */
export function storedLabels(owner: string, labels: Labels): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) if (v !== '' && k !== 'owner') out[k] = v;
  if (labels.owner !== undefined && labels.owner !== '' && labels.owner !== owner) out.exported_owner = labels.owner;
  out.owner = owner;
  return out;
}

/** One string per series of an owner, label order aside (the separator cannot occur in valid UTF-8 text). */
export function seriesKey(owner: string, name: string, labels: Labels): string {
  const keys = Object.keys(labels).sort();
  let s = `${owner}\xff${name}`;
  for (const k of keys) s += `\xff${k}\xff${labels[k]}`;
  return s;
}

export const fingerprintOf = (key: string) => createHash('sha256').update(key).digest('base64url').slice(0, 32);

/** A sorted copy, so stored label sets and answers list labels in one order. */
export function sortedLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k]!;
  return out;
}
