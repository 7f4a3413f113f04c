// CDN distributions: created `in_progress`, `deployed` once a durable job has carried the configuration to the
// edges (ATONIX_CDN_DEPLOY_MS); every change goes back to `in_progress` with a new config_version. Aliases are
// unique across distributions (cdn_aliases), and an enabled distribution is not deleted (CloudFront's rule).
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import type { Deps, Workers } from '../platform/deps.js';
import { defineKind, type Unfinished } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { creationOf, getHandler, listHandler, patchHandler } from '../platform/resources/crud.js';
import { checkIfMatch, ResourceRepo, withDefaults, type Row, type Schemas } from '../platform/resources/repo.js';
import { rowCache } from '../platform/resources/row-cache.js';
import { checkAliases, checkAliasesFree, checkDistribution } from './distribution-rules.js';
import { edgeLocationsOf, type PriceClass } from './edge-locations.js';

export const distributions = new ResourceRepo<Schemas['CdnDistribution']>(registry.cdn_distribution);
export const DEPLOY_QUEUE = 'cdn-deploy';

/** Fields whose change the edges must apply (all of the configuration; a name or comment is the API's alone). */
const QUIET = new Set(['name', 'comment']);

function distributionHandlers({ config, jobs }: Deps) {
  const deploy = (id: string, version: number) => ({
    queue: DEPLOY_QUEUE,
    data: { id, version },
    delayMs: config.cdn.deployMs,
  });
  return {
    listCdnDistributions: listHandler(distributions, ['status', 'name']),
    getCdnDistribution: getHandler(distributions),
    createCdnDistribution: {
      async create(ctx: any) {
        const b = withDefaults(distributions.meta, ctx.body);
        // Stored as sent (nested defaults are the edge's, edge-config.ts), so what a client reads back is what it
        // wrote and Terraform's JSON attributes plan no difference.
        await checkDistribution(ctx.db, ctx.principal, b);
        const checked = { ...b, aliases: checkAliases(b.aliases, config.cdn.domain) };
        await checkAliasesFree(ctx.db, ctx.principal, checked.aliases, null);
        const row = distributions.draft({
          ...(checked as any),
          status: 'in_progress',
          edge_locations: edgeLocationsOf(b.price_class as PriceClass),
          config_version: 1,
          owner: ctx.principal.userId,
        });
        row.domain_name = `${row.id}.${config.cdn.domain}`;
        const creation = creationOf(distributions, row, { status: 202, jobs: [deploy(row.id, 1)] });
        const aliases = (checked.aliases as string[]).map((alias) => ({ alias, distribution_id: row.id }));
        // cdn_aliases rows have no id of their own (the alias is the key): nothing of theirs is in the row cache.
        return aliases.length ? { ...creation, also: [{ table: 'cdn_aliases', rows: aliases as any }] } : creation;
      },
    },
    updateCdnDistribution: patchHandler(distributions, async (ctx, row, changes) => {
      if (!Object.keys(changes).length) return changes;
      await checkDistribution(ctx.db as Knex, ctx.principal, { ...distributions.present(row as any), ...changes });
      if (changes.aliases) {
        changes.aliases = checkAliases(changes.aliases, config.cdn.domain);
        await checkAliasesFree(ctx.db as Knex, ctx.principal, changes.aliases, row.id);
        await ctx.db('cdn_aliases').where({ distribution_id: row.id }).delete();
        if (changes.aliases.length)
          await ctx
            .db('cdn_aliases')
            .insert(changes.aliases.map((alias: string) => ({ alias, distribution_id: row.id })));
      }
      if (changes.price_class) changes.edge_locations = edgeLocationsOf(changes.price_class);
      if (Object.keys(changes).every((k) => QUIET.has(k))) return changes;
      const version = row.config_version + 1;
      await jobs.send(ctx.db, DEPLOY_QUEUE, { id: row.id, version }, config.cdn.deployMs);
      return { ...changes, status: 'in_progress', config_version: version };
    }),
    deleteCdnDistribution: async (ctx: any) => {
      const row = await distributions.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      if (row.enabled)
        throw problems.conflict(
          `cdn_distribution ${row.id} is enabled; disable it (PATCH {"enabled": false}) before deleting it.`,
          [{ pointer: '/enabled', detail: 'must be false to delete', code: 'DistributionEnabled' }],
        );
      // Its aliases and invalidations go with it (ON DELETE CASCADE, migration 027).
      await distributions.remove(ctx.db, row);
      ctx.audit = { resource_type: 'cdn_distribution', resource_id: row.id };
      return { status: 204 };
    },
  };
}

function distributionWorkers({ db }: Deps): Workers {
  return {
    // Only the job of the latest change deploys; an older one finds a newer config_version and does nothing. A job
    // sent again by recovery carries no version: it deploys whatever is current.
    [DEPLOY_QUEUE]: async ({ id, version }: { id: string; version?: number }) => {
      await db.transaction(async (trx) => {
        const q = trx(distributions.table).where({ id, status: 'in_progress' });
        if (version !== undefined) q.where({ config_version: version });
        const d: Row | undefined = await q.forUpdate().first();
        if (d) await distributions.update(trx, d as any, { status: 'deployed' });
      });
      rowCache.invalidate(id);
    },
  };
}

async function deploying(db: Knex): Promise<Unfinished[]> {
  const rows = await db(distributions.table).where({ status: 'in_progress' }).select('id');
  return rows.map((r) => ({ queue: DEPLOY_QUEUE, id: r.id }));
}

export const distributionKind = defineKind('cdn_distribution', {
  handlers: distributionHandlers as any,
  workers: distributionWorkers,
  recover: deploying,
});
