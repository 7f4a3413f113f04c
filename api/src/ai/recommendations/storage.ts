// Storage: a bucket whose objects are rarely read (fewer GETs in 14 days than it holds objects) gets a lifecycle rule
// moving its objects to INFREQUENT after 30 days (S3's minimum for Standard-IA); savings from the classes' prices.
import type { Catalogue } from '../prices/catalogue.js';
import { savingsOf } from '../prices/catalogue.js';
import { DAY, iso, round, type Proposal } from './proposal.js';
import type { bucketsOf } from './reads.js';
import type { SeriesReader } from './series.js';

export const READ_WINDOW_DAYS = 14;
/** fewer reads than this per stored object in the window is "rarely read" */
export const READS_PER_OBJECT = 1;
export const TRANSITION_DAYS = 30;
const GB = 1024 ** 3;

export async function storageLifecycle(
  reader: SeriesReader,
  now: number,
  buckets: Awaited<ReturnType<typeof bucketsOf>>,
  usage: Map<string, { bytes: number; objects: number }>,
  prices: Catalogue,
): Promise<Proposal[]> {
  const candidates = buckets.filter(
    (b) =>
      !b.lifecycle &&
      !b.intelligent_tiering &&
      (usage.get(b.id)?.objects ?? 0) > 0 &&
      now - new Date(b.created_at).getTime() >= READ_WINDOW_DAYS * DAY,
  );
  if (!candidates.length) return [];
  const expr = `increase(atonix_bucket_requests_total{method="GET"}[${READ_WINDOW_DAYS}d])`;
  const reads = await reader.instant(expr, now);
  const out: Proposal[] = [];
  for (const b of candidates) {
    const { bytes, objects } = usage.get(b.id)!;
    const gets = reads.get(b.id) ?? 0;
    const perObject = gets / objects;
    if (perObject >= READS_PER_OBJECT) continue;
    const gb = bytes / GB;
    const rule = {
      id: 'atonix-recommended-infrequent',
      status: 'Enabled',
      transition_infrequent_days: TRANSITION_DAYS,
    };
    out.push({
      type: 'storage_lifecycle',
      resource_kind: 'bucket',
      resource_id: b.id,
      summary:
        `Bucket ${b.name} was read ${round(gets)} times in ${READ_WINDOW_DAYS} days for ${objects} objects ` +
        `(${round(perObject, 3)} reads per object): move objects to INFREQUENT after ${TRANSITION_DAYS} days.`,
      evidence: {
        get_requests: round(gets),
        objects,
        standard_bytes: bytes,
        reads_per_object: round(perObject, 3),
        threshold_reads_per_object: READS_PER_OBJECT,
        window_days: READ_WINDOW_DAYS,
        period: { from: iso(now - READ_WINDOW_DAYS * DAY), to: iso(now) },
      },
      method:
        `PromQL ${expr} (REST and S3 reads alike; absent means none) divided by the bucket's current objects in ` +
        `STANDARD; rarely read under ${READS_PER_OBJECT} read per object. Buckets with lifecycle rules or ` +
        'intelligent tiering already are left alone.',
      action: {
        description: `Give bucket ${b.id} a lifecycle rule: objects go to INFREQUENT ${TRANSITION_DAYS} days after their last write.`,
        steps: [{ operation_id: 'createBucketLifecycleConfiguration', body: { bucket_id: b.id, rules: [rule] } }],
        precondition: null,
      },
      ...savingsOf(
        [
          { what: 'storage class STANDARD', price: prices.find('storage_class', 'STANDARD') },
          { what: 'storage class INFREQUENT', price: prices.find('storage_class', 'INFREQUENT') },
        ],
        `${round(gb, 6)} GB in STANDARD x (STANDARD - INFREQUENT GB-month price), once the objects have moved`,
        ([s, i]) => gb * (s!.price - i!.price),
      ),
      confidence: round(1 - perObject / READS_PER_OBJECT, 3),
      confidence_method: '1 - (reads per object / threshold): 1 for a bucket never read, near 0 close to the threshold',
    });
  }
  return out;
}
