// The daily refresh on the platform clock: due at 03:00 UTC each day (a manual clock moved past that hour fires it),
// for every owner with resources. The row in recommendation_runs is locked while it runs, so one process does it,
// and it records the time it ran, so a restart neither repeats nor skips a day.
import type { Knex } from 'knex';
import type { Deps } from '../../platform/deps.js';
import { ownersWithResources } from './reads.js';
import { refreshOwner } from './refresh.js';

const TABLE = 'recommendation_runs';
const DAY = 86_400_000;
export const DAILY_HOUR_UTC = 3;

/** The first daily instant after `t`. */
export const nextDue = (t: number) => {
  const today = Math.floor(t / DAY) * DAY + DAILY_HOUR_UTC * 3_600_000;
  return today > t ? today : today + DAY;
};

/** Runs the daily refresh if it is due at `now` and no other process holds it; true when it ran. */
export async function runDaily(deps: Deps, now: number): Promise<boolean> {
  const { db } = deps;
  await db.raw(`insert into ${TABLE} (name, refreshed_until) values ('daily', ?) on conflict do nothing`, [
    new Date(now),
  ]);
  return db.transaction(async (trx: Knex.Transaction) => {
    const row = await trx(TABLE).where({ name: 'daily' }).forUpdate().skipLocked().first('refreshed_until');
    if (!row || now < nextDue(new Date(row.refreshed_until).getTime())) return false;
    for (const owner of await ownersWithResources(db)) {
      try {
        await refreshOwner(deps, owner);
      } catch (err) {
        deps.log.warn({ err, owner }, 'refreshing recommendations failed');
      }
    }
    await trx(TABLE)
      .where({ name: 'daily' })
      .update({ refreshed_until: new Date(now) });
    return true;
  });
}
