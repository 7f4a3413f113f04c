// The time-series store in PostgreSQL: one per Deps (memoised), as a SampleSource (reads) and a MetricSink
// (writes). The API's endpoints, the PromQL engine, alerts, dashboards and the platform's collectors all use it.
import type { Knex } from 'knex';
import type { Deps } from '../../platform/deps.js';
import type { MetricMetadata, MetricSink, Point, SampleSource } from '../types.js';
import { Reader } from './reader.js';
import { SeriesIds, insertSamples, upsertMetadata } from './writer.js';

export interface Store {
  source: SampleSource & Reader;
  sink: MetricSink;
  /**
   * The sink's write inside a transaction of the caller's (an operation's, shared with its audit record): the
   * samples commit or roll back with it.
   */
  writeIn(
    trx: Knex | Knex.Transaction,
    owner: string,
    points: Point[],
    metadata?: Record<string, MetricMetadata>,
  ): Promise<void>;
}

const stores = new WeakMap<object, Store>();

export function tsdb(deps: Pick<Deps, 'db' | 'clock'>): Store {
  let store = stores.get(deps);
  if (!store) stores.set(deps, (store = makeStore(deps)));
  return store;
}

function makeStore({ db, clock }: Pick<Deps, 'db' | 'clock'>): Store {
  const ids = new SeriesIds(db, () => clock.now());
  const writeIn: Store['writeIn'] = async (trx, owner, points, metadata) => {
    if (points.length) await insertSamples(trx, await ids.resolve(owner, points), points);
    if (metadata) await upsertMetadata(trx, owner, metadata);
  };
  return {
    source: new Reader(db),
    sink: { write: (owner, points, metadata) => db.transaction((trx) => writeIn(trx, owner, points, metadata)) },
    writeIn,
  };
}
