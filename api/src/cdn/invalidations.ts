// Invalidations of a distribution's cached paths: created `in_progress`, `completed` once every live edge has
// dropped the paths (invalidation-bus.ts). A create repeating a caller_reference answers the first invalidation
// when its paths are the same, and is a 409 when they are not (CloudFront's InvalidationBatchAlreadyExists).
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import type { Deps, Workers } from '../platform/deps.js';
import { defineKind, type Unfinished } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { getHandler, listHandler } from '../platform/resources/crud.js';
import { ResourceRepo, type Schemas } from '../platform/resources/repo.js';
import { rowCache } from '../platform/resources/row-cache.js';
import { distributions } from './distributions.js';
import { completeIfAcknowledged } from './invalidation-bus.js';

export const invalidations = new ResourceRepo<Schemas['CdnInvalidation']>(registry.cdn_invalidation);
const QUEUE = 'cdn-invalidation';
/** How often an invalidation still waiting on an edge looks again (platform milliseconds). */
const RECHECK_MS = 1000;

/** CloudFront's path rules: a leading `/`, `*` only as the last character. */
export function checkPaths(paths: string[]): string[] {
  return paths.map((p, i) => {
    if (!p.startsWith('/')) throw problems.invalidField(`paths/${i}`, 'must start with /', 'InvalidPath');
    const star = p.indexOf('*');
    if (star !== -1 && star !== p.length - 1)
      throw problems.invalidField(`paths/${i}`, '* may only be the last character', 'InvalidPath');
    return p;
  });
}

const samePaths = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

function invalidationHandlers({ jobs }: Deps) {
  return {
    listCdnInvalidations: listHandler(invalidations, ['distribution_id', 'status']),
    listCdnDistributionInvalidations: async (ctx: any) => {
      await distributions.get(ctx.db, ctx.principal, ctx.params.id);
      return listHandler(invalidations, [], (c) => ({ distribution_id: c.params.id }))(ctx);
    },
    getCdnInvalidation: getHandler(invalidations),
    // The distribution must be the caller's and the invalidation its own: anything else is a 404 alike.
    getCdnDistributionInvalidation: async (ctx: any) => {
      await distributions.get(ctx.db, ctx.principal, ctx.params.id);
      const inv = await invalidations.get(ctx.db, ctx.principal, ctx.params.invalidation_id);
      if (inv.distribution_id !== ctx.params.id) throw problems.notFound('cdn_invalidation', inv.id);
      return { status: 200, body: invalidations.present(inv) };
    },
    createCdnInvalidation: async (ctx: any) => {
      const dist = await distributions.get(ctx.db, ctx.principal, ctx.params.id ?? ctx.body.distribution_id, true);
      const paths = checkPaths(ctx.body.paths);
      const first = await ctx
        .db(invalidations.table)
        .where({ distribution_id: dist.id, caller_reference: ctx.body.caller_reference })
        .first();
      if (first) {
        if (!samePaths(first.paths, paths))
          throw problems.conflict(
            `caller_reference ${ctx.body.caller_reference} was used by ${first.id} with other paths.`,
            [
              {
                pointer: '/caller_reference',
                detail: `was used by ${first.id} with other paths`,
                code: 'InvalidationBatchAlreadyExists',
              },
            ],
            { conflicts_with: first.id },
          );
        return {
          status: 202,
          body: invalidations.present(first),
          headers: { Location: invalidations.location(first.id) },
        };
      }
      const row = await invalidations.insert(ctx.db, {
        distribution_id: dist.id,
        paths,
        caller_reference: ctx.body.caller_reference,
        status: 'in_progress',
        owner: dist.owner,
      });
      await jobs.send(ctx.db, QUEUE, { id: row.id });
      ctx.audit = { resource_type: 'cdn_invalidation', resource_id: row.id };
      return { status: 202, body: invalidations.present(row), headers: { Location: invalidations.location(row.id) } };
    },
  };
}

function invalidationWorkers({ db, clock, jobs }: Deps): Workers {
  return {
    // Completes when every live edge has acknowledged; otherwise looks again (an ack completes it sooner).
    [QUEUE]: async ({ id }: { id: string }) => {
      if (!(await completeIfAcknowledged(db, clock, id))) await jobs.send(db, QUEUE, { id }, RECHECK_MS);
      rowCache.invalidate(id);
    },
  };
}

async function inProgress(db: Knex): Promise<Unfinished[]> {
  return (await db(invalidations.table).where({ status: 'in_progress' }).select('id')).map((r) => ({
    queue: QUEUE,
    id: r.id,
  }));
}

export const invalidationKind = defineKind('cdn_invalidation', {
  handlers: invalidationHandlers as any,
  workers: invalidationWorkers,
  recover: inProgress,
});
