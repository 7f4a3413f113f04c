// The modelled series of instances and volumes (see workload-model.ts): one point a minute per series for every
// minute since the collection last ran, so a platform clock moved forward by days leaves no gap a forecast would
// trip on (bounded by the backfill limit and the pass's budget of points: older minutes are not written).
import type { Point } from '../types.js';
import type { AttachedVolume, RunningInstance } from './reads.js';
import { counter, cpuPercent, memoryPercent, rates, workloadOf } from './workload-model.js';

export const MINUTE = 60_000;
/** the series a running instance (an attached volume) writes a minute */
export const INSTANCE_SERIES = 4;
export const VOLUME_SERIES = 2;

/** The minutes in (from, to], on the minute grid, not before `notBefore`. */
export function minutes(from: number, to: number, notBefore: number): number[] {
  const out: number[] = [];
  const first = Math.max(Math.floor(from / MINUTE) + 1, Math.ceil(notBefore / MINUTE));
  for (let m = first; m * MINUTE <= to; m++) out.push(m * MINUTE);
  return out;
}

export function instancePoints(i: RunningInstance, times: number[]): Point[] {
  const w = workloadOf(i.id, i.metadata);
  const r = rates(i.id, w);
  const since = new Date(i.created_at).getTime();
  const labels = { resource_id: i.id, kind: 'instance' };
  const out: Point[] = [];
  for (const t of times) {
    out.push(
      { name: 'atonix_instance_cpu_utilization_percent', labels, value: round(cpuPercent(i.id, w, t)), timestamp: t },
      {
        name: 'atonix_instance_memory_utilization_percent',
        labels,
        value: round(memoryPercent(i.id, w, t)),
        timestamp: t,
      },
      {
        name: 'atonix_instance_network_receive_bytes_total',
        labels,
        value: counter(r.receiveBytes, w.shape, since, t),
        timestamp: t,
      },
      {
        name: 'atonix_instance_network_transmit_bytes_total',
        labels,
        value: counter(r.transmitBytes, w.shape, since, t),
        timestamp: t,
      },
    );
  }
  return out;
}

export function volumePoints(v: AttachedVolume, times: number[]): Point[] {
  // The disk follows its instance's workload shape; its own id draws its rates.
  const w = workloadOf(v.instance_id, v.instance_metadata);
  const r = rates(v.id, w);
  const since = new Date(v.created_at).getTime();
  const labels = { resource_id: v.id, kind: 'volume', instance_id: v.instance_id };
  const out: Point[] = [];
  for (const t of times) {
    out.push(
      { name: 'atonix_volume_read_ops_total', labels, value: counter(r.readOps, w.shape, since, t), timestamp: t },
      { name: 'atonix_volume_write_ops_total', labels, value: counter(r.writeOps, w.shape, since, t), timestamp: t },
    );
  }
  return out;
}

const round = (v: number) => Math.round(v * 100) / 100;
