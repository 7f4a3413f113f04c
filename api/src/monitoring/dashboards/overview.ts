// The "Overview" dashboard every user is given once (at their creation, or at the first start after this kind
// arrived for users made before): their API traffic and latency, their instances' CPU and their buckets' sizes,
// from the platform's own series (collectors/). Made once per user: a deleted Overview stays deleted.
import type { Knex } from 'knex';
import type { Schemas } from '../../platform/resources/repo.js';
import { dashboards } from './repo.js';

type Panel = Schemas['DashboardPanel'];

const stat = (title: string, expr: string, x: number, extra: Partial<Panel> = {}): Panel => ({
  type: 'stat',
  title,
  queries: [{ expr }],
  grid_pos: { x, y: 0, w: 6, h: 4 },
  ...extra,
});

export const OVERVIEW_PANELS: Panel[] = [
  stat('API requests (last hour)', 'sum(increase(atonix_api_requests_total[1h]))', 0),
  stat('API errors (last hour)', 'sum(increase(atonix_api_requests_total{code=~"5.."}[1h]))', 6),
  stat('Instance CPU (average)', 'avg(atonix_instance_cpu_utilization_percent)', 12, {
    unit: 'percent',
    reduction: 'mean',
  }),
  stat('Bucket storage', 'sum(atonix_bucket_size_bytes)', 18, { unit: 'bytes' }),
  {
    type: 'timeseries',
    title: 'API requests per second, by operation',
    queries: [{ expr: 'sum by (operation) (rate(atonix_api_requests_total[5m]))', legend: '{{operation}}' }],
    unit: 'requests_per_second',
    grid_pos: { x: 0, y: 4, w: 12, h: 8 },
  },
  {
    type: 'timeseries',
    title: 'API latency',
    queries: [
      {
        expr: 'histogram_quantile(0.5, sum by (le) (rate(atonix_api_request_duration_seconds_bucket[5m])))',
        legend: 'p50',
      },
      {
        expr: 'histogram_quantile(0.95, sum by (le) (rate(atonix_api_request_duration_seconds_bucket[5m])))',
        legend: 'p95',
      },
    ],
    unit: 'seconds',
    grid_pos: { x: 12, y: 4, w: 12, h: 8 },
  },
  {
    type: 'timeseries',
    title: 'Instance CPU',
    queries: [{ expr: 'atonix_instance_cpu_utilization_percent', legend: '{{resource_id}}' }],
    unit: 'percent',
    grid_pos: { x: 0, y: 12, w: 12, h: 8 },
  },
  {
    type: 'table',
    title: 'Bucket sizes',
    queries: [{ expr: 'atonix_bucket_size_bytes', legend: '{{resource_id}}' }],
    unit: 'bytes',
    grid_pos: { x: 12, y: 12, w: 12, h: 8 },
  },
];

type Db = Knex | Knex.Transaction;

/** Gives `owner` their Overview unless they were given one already (at most once, even from two processes). */
export async function giveOverview(db: Db, owner: string): Promise<void> {
  const draft = dashboards.draft({
    name: 'Overview',
    description: 'Your API traffic and latency, your instances and your buckets.',
    owner,
    panels: OVERVIEW_PANELS,
    time_range: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    tags: ['overview'],
  });
  const claimed = await db('default_dashboards')
    .insert({ owner, dashboard_id: draft.id })
    .onConflict('owner')
    .ignore()
    .returning('owner');
  if (claimed.length) await dashboards.insert(db, draft);
}

/** At start: an Overview for every user who has never had one (users made before dashboards existed). */
export async function seedOverviews(db: Knex): Promise<void> {
  const users: { id: string }[] = await db('users')
    .whereNotExists(db('default_dashboards').whereRaw('default_dashboards.owner = users.id').select(db.raw('1')))
    .select('id');
  for (const u of users) await db.transaction((trx) => giveOverview(trx, u.id));
}
