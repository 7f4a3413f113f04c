// What this process served, per operation and caller, kept as cumulative counters for the monitoring service's
// collectors to write as series (atonix_api_requests_total and friends). Unlike /metrics (prom-client, labelled by
// operation only), these carry the owner, so a user's own request rate is a query of their own series.

/** The latency buckets of atonix_api_request_duration_seconds (seconds; `+Inf` is the count). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface OperationUsage {
  operation: string;
  owner: string;
  code: string;
  count: number;
}

export interface LatencyUsage {
  operation: string;
  owner: string;
  /** cumulative counts per bucket of LATENCY_BUCKETS, then the +Inf count */
  buckets: number[];
  sum: number;
}

/**
 * A bucket's requests, whoever made them (they count for the bucket's owner): by id over REST, by name over S3 (names
 * are global; the collector resolves them and the owner).
 */
export interface BucketUsage {
  bucket: { id: string } | { name: string };
  method: string;
  count: number;
}

export class UsageMeter {
  private ops = new Map<string, OperationUsage>();
  private latency = new Map<string, LatencyUsage>();
  private bucketRequests = new Map<string, BucketUsage>();

  /** One answered call. Anonymous calls (probes) are not anyone's usage. */
  record(operation: string, owner: string | undefined, status: number, seconds: number): void {
    if (!owner || owner === 'anonymous') return;
    const code = String(status);
    const key = `${operation}\u0000${owner}\u0000${code}`;
    const op = this.ops.get(key);
    if (op) op.count++;
    else this.ops.set(key, { operation, owner, code, count: 1 });
    const lkey = `${operation}\u0000${owner}`;
    let l = this.latency.get(lkey);
    if (!l)
      this.latency.set(
        lkey,
        (l = { operation, owner, buckets: new Array(LATENCY_BUCKETS.length + 1).fill(0), sum: 0 }),
      );
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]) l.buckets[i]++;
    l.buckets[LATENCY_BUCKETS.length]++;
    l.sum += seconds;
  }

  /** One request that read or wrote a bucket or its objects. */
  recordBucket(bucket: BucketUsage['bucket'], method: string): void {
    const key = `${'id' in bucket ? bucket.id : `name:${bucket.name}`}\u0000${method}`;
    const b = this.bucketRequests.get(key);
    if (b) b.count++;
    else this.bucketRequests.set(key, { bucket, method, count: 1 });
  }

  /** The counters so far (copies: the caller may hold them while requests go on). */
  snapshot() {
    return {
      operations: [...this.ops.values()].map((o) => ({ ...o })),
      latency: [...this.latency.values()].map((l) => ({ ...l, buckets: [...l.buckets] })),
      buckets: [...this.bucketRequests.values()].map((b) => ({ ...b })),
    };
  }
}
