// The size and performance limits of each volume type: ONE table (the README's "Volume limits" repeats it), and
// the rule that settles a volume's iops and throughput from its type and size. Field errors name the field.
import { problems } from '../platform/problems.js';
import type { Schemas } from '../platform/resources/repo.js';

export type VolumeType = Schemas['VolumeType'];

interface Range {
  min: number;
  max: number;
}
interface TypeLimits {
  size_gb: Range;
  /** null: the type has no provisioned IOPS (hdd), so iops must be absent or null */
  iops: (Range & { default: number; per_gib?: number }) | null;
  /** MiB/s; null: not provisioned for this type */
  throughput: (Range & { default: number }) | null;
}

/** EBS's gp3 (ssd), st1 (hdd) and io2 (nvme), rounded: the one place these numbers live. */
export const VOLUME_LIMITS: Record<VolumeType, TypeLimits> = {
  ssd: {
    size_gb: { min: 1, max: 16_384 },
    iops: { min: 3_000, max: 16_000, default: 3_000 },
    throughput: { min: 125, max: 1_000, default: 125 },
  },
  hdd: { size_gb: { min: 125, max: 16_384 }, iops: null, throughput: null },
  nvme: {
    size_gb: { min: 4, max: 16_384 },
    iops: { min: 100, max: 64_000, default: 3_000, per_gib: 500 },
    throughput: null,
  },
};

const n = (v: number) => v.toLocaleString('en-US');

/** The volume's performance given its type and size: the values asked for (checked), else the type's defaults. */
export function settlePerformance(
  type: VolumeType,
  size: number,
  asked: { iops?: number | null; throughput?: number | null },
): { iops: number | null; throughput: number | null } {
  const l = VOLUME_LIMITS[type];
  if (size < l.size_gb.min || size > l.size_gb.max)
    throw problems.invalidField(
      'size_gb',
      `must be ${n(l.size_gb.min)}-${n(l.size_gb.max)} GiB for type ${type}`,
      'OutOfRange',
    );
  let iops: number | null = null;
  if (!l.iops) {
    if (asked.iops != null)
      throw problems.invalidField('iops', `must be absent or null: type ${type} has no provisioned IOPS`, 'NotAllowed');
  } else {
    const ceiling = l.iops.per_gib ? Math.min(l.iops.max, l.iops.per_gib * size) : l.iops.max;
    iops = asked.iops ?? Math.min(l.iops.default, ceiling);
    if (iops < l.iops.min || iops > l.iops.max)
      throw problems.invalidField('iops', `must be ${n(l.iops.min)}-${n(l.iops.max)} for type ${type}`, 'OutOfRange');
    if (iops > ceiling)
      throw problems.invalidField(
        'iops',
        `must be at most ${n(l.iops.per_gib!)} per GiB for type ${type}: ${n(ceiling)} for ${n(size)} GiB`,
        'IopsRatioExceeded',
      );
  }
  let throughput: number | null = null;
  if (!l.throughput) {
    if (asked.throughput != null)
      throw problems.invalidField(
        'throughput',
        `must be absent or null: type ${type} has no provisioned throughput`,
        'NotAllowed',
      );
  } else {
    throughput = asked.throughput ?? l.throughput.default;
    if (throughput < l.throughput.min || throughput > l.throughput.max)
      throw problems.invalidField(
        'throughput',
        `must be ${n(l.throughput.min)}-${n(l.throughput.max)} MiB/s for type ${type}`,
        'OutOfRange',
      );
  }
  return { iops, throughput };
}
