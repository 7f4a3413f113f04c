// Reads the process environment once into a typed configuration; every setting is documented in the README.
import { join, resolve } from 'node:path';

function int(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** Zero would make every key expire at once: idempotency silently off. */
function positive(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const n = int(name, fallback, env);
  if (n < 1) throw new Error(`${name} must be at least 1, got ${n}`);
  return n;
}

/**
 * ATONIX_MASTER_KEY: the base64 of exactly 32 bytes, the key that wraps every KMS key's material. A bad value stops
 * the start (its value is never echoed: it is a secret).
 */
function masterKey(env: NodeJS.ProcessEnv): Buffer | undefined {
  const raw = env.ATONIX_MASTER_KEY?.trim();
  if (!raw) return undefined;
  const bytes = Buffer.from(raw, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw) || raw.length % 4 !== 0 || bytes.length !== 32)
    throw new Error(
      `ATONIX_MASTER_KEY must be the base64 of 32 random bytes (make one with \`openssl rand -base64 32\`); the value given ${
        /^[A-Za-z0-9+/]+={0,2}$/.test(raw) && raw.length % 4 === 0
          ? `decodes to ${bytes.length} bytes`
          : 'is not base64'
      }`,
    );
  return bytes;
}

export type Role = 'api' | 'worker' | 'all';

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  role: Role;
  region: string;
  storage: {
    /** where object bytes live (ATONIX_OBJECT_DIR; default <data dir>/objects): a shared filesystem serves replicas */
    objectDir: string;
    /** ATONIX_S3_PORT: the S3 protocol also at the root of its own port (as MinIO and Garage serve it) */
    s3Port?: number;
    /** ATONIX_S3_DOMAIN: virtual-host style, `<bucket>.<domain>` */
    s3Domain?: string;
    /** ATONIX_RESTORE_DELAY_SECONDS: platform time an ARCHIVE restore takes (default 4 hours, S3's standard tier) */
    restoreDelaySeconds: number;
    /** ATONIX_TIER_MOVE_STALE_MS: a tier move written ahead this long ago (real time) is a dead mover's to finish */
    tierMoveStaleMs: number;
    /** ATONIX_TIER_BATCH: versions per tier-move batch of the lifecycle worker */
    tierBatch: number;
  };
  adminToken?: string;
  provisionDelayMs: number;
  capacity: { vcpus: number; ram_mb: number; gpus: number };
  /** block capacity of the region per volume type, GiB (ATONIX_CAPACITY_SSD_GB, _HDD_GB, _NVME_GB) */
  volumeCapacityGb: { ssd: number; hdd: number; nvme: number };
  /** how long a snapshot takes per GiB of its volume, platform milliseconds (ATONIX_SNAPSHOT_MS_PER_GIB) */
  snapshotMsPerGib: number;
  rateLimit: { perSecond: number; burst: number };
  logLevel: string;
  validateResponses: boolean;
  dbPoolMax: number;
  /** how often idle workers look for due jobs; a job due now wakes them at once regardless */
  jobPollSeconds: number;
  /** how long an Idempotency-Key is remembered; after that the same key starts a new request */
  idempotencyTtlSeconds: number;
  /** when set, /metrics answers only `Authorization: Bearer <this>` (Prometheus' bearer_token) */
  metricsToken?: string;
  /** the proxies whose X-Forwarded-For is believed (Express' `trust proxy`): a source address is otherwise chosen by its client */
  trustProxy: string;
  /** `manual`: the platform clock moves only by POST /api/admin/clock (tests and demos) */
  clock: 'real' | 'manual';
  /** how often work that comes due with time (deletion windows, rotations, schedules) is looked for, real clock */
  clockTickSeconds: number;
  /** the KMS master key (ATONIX_MASTER_KEY); unset: a key file in the data dir, made once (security/kms/master-key.ts) */
  masterKey?: Buffer;
  /** load balancers' data plane: the address listeners bind, and the host ports their listener ports map into */
  lb: { bind: string; portRange: [number, number] };
  /** ATONIX_LOG_RETENTION_DAYS: how long an owner's log lines are kept until they set their own retention */
  logRetentionDays: number;
  /** alert notifications (monitoring/alerts/) */
  alerts: {
    /** ATONIX_ALERT_WEBHOOK_TIMEOUT_MS: a webhook that has not answered after this long is a failed attempt */
    webhookTimeoutMs: number;
    /** ATONIX_ALERT_RETRY_BASE_SECONDS: platform time before the first retry; each later one waits twice as long */
    retryBaseSeconds: number;
    /** ATONIX_ALERT_MAX_ATTEMPTS: attempts of one delivery before it is failed */
    maxAttempts: number;
    /** ATONIX_EXTERNAL_URL: the platform's address as receivers see it (the payload's externalURL, generatorURL) */
    externalUrl: string;
  };
  /** CDN control plane: ATONIX_CDN_DOMAIN (distributions' domain names end so), ATONIX_CDN_DEPLOY_MS (how long a
   * change takes to reach the edges, platform milliseconds; defaults to ATONIX_PROVISION_DELAY_MS); the edge's memory
   * and disk tiers' byte bounds (ATONIX_CDN_MEMORY_BYTES, ATONIX_CDN_DISK_BYTES; 0 turns the disk tier off); the
   * viewer's country: ATONIX_GEOIP_DB (a MaxMind-format file instead of the shipped database), ATONIX_GEO_HEADER (a
   * country header such as CloudFront-Viewer-Country, believed only from ATONIX_TRUST_PROXY's peers); HTTPS origins'
   * certificates are verified against Node's roots plus the PEM bundle ATONIX_CDN_ORIGIN_CA names (a private CA) */
  cdn: {
    domain: string;
    originCa?: string;
    deployMs: number;
    memoryBytes: number;
    diskBytes: number;
    geoipDb?: string;
    geoHeader?: string;
  };
  /** the time-series store: retention per resolution in days (ATONIX_METRICS_RETENTION_RAW_DAYS, _1M_DAYS, _1H_DAYS) */
  metrics: { retentionDays: { raw: number; '1m': number; '1h': number } };
  /** REDIS_URL: the metrics query cache lives in this Redis (shared by replicas) instead of each process */
  redisUrl?: string;
  /**
   * The platform's own series (monitoring/collectors): every `seconds` of platform time (ATONIX_METRICS_COLLECT_SECONDS,
   * 0 turns them off), and after a gap (a clock jump, a stopped platform), modelled minutes back to at most
   * `backfillHours` before now and as many as `pointsPerPass` points allow (ATONIX_METRICS_POINTS_PER_PASS)
   */
  collect: { seconds: number; backfillHours: number; pointsPerPass: number };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const role = (env.ATONIX_ROLE ?? 'all') as Role;
  if (!['api', 'worker', 'all'].includes(role)) throw new Error(`ATONIX_ROLE must be api, worker or all, got ${role}`);
  return {
    port: int('PORT', 8000, env),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.ATONIX_DATA_DIR ?? '.atonix'),
    role,
    region: env.ATONIX_REGION ?? 'us-east-1',
    adminToken: env.ATONIX_ADMIN_TOKEN || undefined,
    provisionDelayMs: int('ATONIX_PROVISION_DELAY_MS', 2000, env),
    capacity: {
      vcpus: int('ATONIX_CAPACITY_VCPUS', 1024, env),
      ram_mb: int('ATONIX_CAPACITY_RAM_MB', 4 * 1024 * 1024, env),
      gpus: int('ATONIX_CAPACITY_GPUS', 16, env),
    },
    volumeCapacityGb: {
      ssd: int('ATONIX_CAPACITY_SSD_GB', 1024 * 1024, env),
      hdd: int('ATONIX_CAPACITY_HDD_GB', 4 * 1024 * 1024, env),
      nvme: int('ATONIX_CAPACITY_NVME_GB', 256 * 1024, env),
    },
    snapshotMsPerGib: int('ATONIX_SNAPSHOT_MS_PER_GIB', 500, env),
    rateLimit: {
      perSecond: int('ATONIX_RATE_LIMIT_PER_SECOND', 200, env),
      burst: int('ATONIX_RATE_LIMIT_BURST', 400, env),
    },
    logLevel: env.LOG_LEVEL ?? 'info',
    validateResponses: env.ATONIX_VALIDATE_RESPONSES === '1',
    dbPoolMax: int('ATONIX_DB_POOL_MAX', 20, env),
    // pg-boss's floor is half a second.
    jobPollSeconds: Math.max(0.5, Number(env.ATONIX_JOB_POLL_SECONDS ?? 0.5) || 0.5),
    idempotencyTtlSeconds: positive('ATONIX_IDEMPOTENCY_TTL_SECONDS', 86_400, env),
    metricsToken: env.ATONIX_METRICS_TOKEN || undefined,
    trustProxy: env.ATONIX_TRUST_PROXY || 'loopback',
    clock: clockMode(env.ATONIX_CLOCK),
    clockTickSeconds: positive('ATONIX_CLOCK_TICK_SECONDS', 10, env),
    masterKey: masterKey(env),
    lb: { bind: env.ATONIX_LB_BIND || '127.0.0.1', portRange: portRange(env.ATONIX_LB_PORT_RANGE) },
    logRetentionDays: positive('ATONIX_LOG_RETENTION_DAYS', 30, env),
    alerts: {
      webhookTimeoutMs: positive('ATONIX_ALERT_WEBHOOK_TIMEOUT_MS', 10_000, env),
      retryBaseSeconds: positive('ATONIX_ALERT_RETRY_BASE_SECONDS', 30, env),
      maxAttempts: positive('ATONIX_ALERT_MAX_ATTEMPTS', 6, env),
      externalUrl: (env.ATONIX_EXTERNAL_URL || `http://localhost:${int('PORT', 8000, env)}`).replace(/\/+$/, ''),
    },
    collect: {
      seconds: int('ATONIX_METRICS_COLLECT_SECONDS', 60, env),
      backfillHours: int('ATONIX_METRICS_BACKFILL_HOURS', 24, env),
      pointsPerPass: positive('ATONIX_METRICS_POINTS_PER_PASS', 500_000, env),
    },
    cdn: {
      domain: (env.ATONIX_CDN_DOMAIN || 'cdn.atonix.local').toLowerCase(),
      deployMs: int('ATONIX_CDN_DEPLOY_MS', int('ATONIX_PROVISION_DELAY_MS', 2000, env), env),
      memoryBytes: int('ATONIX_CDN_MEMORY_BYTES', 256 * 1024 * 1024, env),
      diskBytes: int('ATONIX_CDN_DISK_BYTES', 1024 * 1024 * 1024, env),
      geoipDb: env.ATONIX_GEOIP_DB ? resolve(env.ATONIX_GEOIP_DB) : undefined,
      geoHeader: env.ATONIX_GEO_HEADER?.trim().toLowerCase() || undefined,
      originCa: env.ATONIX_CDN_ORIGIN_CA ? resolve(env.ATONIX_CDN_ORIGIN_CA) : undefined,
    },
    metrics: {
      retentionDays: {
        raw: positive('ATONIX_METRICS_RETENTION_RAW_DAYS', 15, env),
        '1m': positive('ATONIX_METRICS_RETENTION_1M_DAYS', 90, env),
        '1h': positive('ATONIX_METRICS_RETENTION_1H_DAYS', 400, env),
      },
    },
    redisUrl: env.REDIS_URL || undefined,
    storage: {
      objectDir: resolve(env.ATONIX_OBJECT_DIR ?? join(resolve(env.ATONIX_DATA_DIR ?? '.atonix'), 'objects')),
      s3Port: env.ATONIX_S3_PORT ? int('ATONIX_S3_PORT', 0, env) : undefined,
      s3Domain: env.ATONIX_S3_DOMAIN?.trim().toLowerCase() || undefined,
      restoreDelaySeconds: int('ATONIX_RESTORE_DELAY_SECONDS', 4 * 3600, env),
      tierMoveStaleMs: int('ATONIX_TIER_MOVE_STALE_MS', 60_000, env),
      tierBatch: Math.max(1, int('ATONIX_TIER_BATCH', 2000, env)),
    },
  };
}

function clockMode(raw: string | undefined): 'real' | 'manual' {
  if (raw === undefined || raw === '' || raw === 'real') return 'real';
  if (raw === 'manual') return 'manual';
  throw new Error(`ATONIX_CLOCK must be real or manual, got ${JSON.stringify(raw)}`);
}

/** ATONIX_LB_PORT_RANGE: `low-high`, both ports, low <= high (default 20000-20999). */
function portRange(raw: string | undefined): [number, number] {
  if (raw === undefined || raw === '') return [20000, 20999];
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(raw.trim());
  const [low, high] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(low >= 1 && high <= 65535 && low <= high))
    throw new Error(`ATONIX_LB_PORT_RANGE must be low-high (ports, low <= high), got ${JSON.stringify(raw)}`);
  return [low, high];
}
