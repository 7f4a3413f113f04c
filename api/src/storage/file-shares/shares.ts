// File shares: created `creating` in one of the caller's VPCs; a durable job makes them `available`. Export rules and
// size changes are checked in rules.ts; a share with mount targets is not deleted (409 naming them, as EFS refuses
// DeleteFileSystem with FileSystemInUse) rather than taking its mount targets with it.
import type { Knex } from 'knex';
import { registry } from '../../generated/registry.js';
import { creationOf, deleteHandler, getHandler, listHandler, patchHandler } from '../../platform/resources/crud.js';
import type { Deps, Workers } from '../../platform/deps.js';
import { defineKind, type KindHandlers, type Unfinished } from '../../platform/manifest.js';
import { problems } from '../../platform/problems.js';
import { ResourceRepo, type Schemas, withDefaults } from '../../platform/resources/repo.js';
import { vpcs } from '../../networking/vpcs.js';
import { PROTOCOL_VERSION, checkExportRules, checkResize, dnsName } from './rules.js';

export const fileShares = new ResourceRepo<Schemas['FileShare']>(registry.file_share);
const QUEUE = 'provision-file-share';

function shareHandlers({ config }: Deps): KindHandlers<'file_share'> {
  return {
    listFileShares: listHandler(fileShares, ['status', 'protocol', 'vpc_id', 'name']),
    getFileShare: getHandler(fileShares),
    // Growing is immediate (the emulated data path has nothing to extend); protocol and VPC are immutable.
    updateFileShare: patchHandler(fileShares, async (_ctx, row, changes) => {
      if (changes.size_gb !== undefined) checkResize(row.size_gb, changes.size_gb);
      if (changes.export_rules !== undefined)
        changes.export_rules = checkExportRules(row.protocol, changes.export_rules ?? []);
    }),
    deleteFileShare: deleteHandler(fileShares, [{ kind: 'file_share_mount_target', column: 'file_share_id' }]),
    createFileShare: {
      async create(ctx) {
        const b = withDefaults(fileShares.meta, ctx.body);
        await vpcs.get(ctx.db, ctx.principal, b.vpc_id).catch(() => {
          throw problems.referenceNotFound('vpc_id', b.vpc_id);
        });
        const protocol = b.protocol as keyof typeof PROTOCOL_VERSION;
        const row = fileShares.draft({
          ...b,
          protocol,
          protocol_version: PROTOCOL_VERSION[protocol],
          export_rules: checkExportRules(protocol, b.export_rules ?? []),
          status: 'creating',
          status_reason: null,
          owner: ctx.principal.userId,
        });
        row.dns_name = dnsName(row.id, config.region);
        return creationOf(fileShares, row, {
          status: 202,
          jobs: [{ queue: QUEUE, data: { id: row.id }, delayMs: config.provisionDelayMs }],
        });
      },
    },
  };
}

function shareWorkers({ db }: Deps): Workers {
  // Idempotent: one conditional statement moves only a share still `creating` (a replay, or a deleted share, is a
  // no-op).
  return {
    [QUEUE]: async ({ id }: { id: string }) => {
      await fileShares.moveStatus(db, [id], 'status', 'creating', 'available');
    },
  };
}

async function creating(db: Knex): Promise<Unfinished[]> {
  return (await db(fileShares.table).where({ status: 'creating' }).select('id')).map((r) => ({
    queue: QUEUE,
    id: r.id,
  }));
}

export const fileShareKind = defineKind('file_share', {
  handlers: shareHandlers,
  workers: shareWorkers,
  recover: creating,
});
