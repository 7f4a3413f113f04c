// Who an S3 request is and what it may do: SigV4 with the user's access key gives the principal; IAM decides each
// action on `atx:storage:<region>:<owner>:bucket/<id>[/<key>]` exactly as for REST; every write, and every
// refusal, leaves an audit record (a write's in its own transaction).
import type { Knex } from 'knex';
import { registry } from '../../generated/registry.js';
import type { Deps } from '../../platform/deps.js';
import { writeAudit } from '../../platform/operations/audit-trail.js';
import type { Principal } from '../../platform/operations/principals.js';
import { lookupAccessKey, touchAccessKey } from '../../security/access-keys.js';
import type { BucketRow } from '../bucket-store.js';
import type { S3Request } from './request.js';
import { verifySigV4, type SigV4Identity } from './sigv4.js';
import type { IncomingHttpHeaders } from 'node:http';

export interface S3Call {
  principal: Principal;
  auth: SigV4Identity;
  requestId: string;
  sourceIp: string;
}

const USER_CACHE_MS = 5_000;

export class S3Access {
  private users = new Map<string, { principal: Principal; at: number }>();

  constructor(private deps: Deps) {}

  /** Verifies the signature and answers the principal it stands for. */
  async authenticate(
    r: S3Request,
    headers: IncomingHttpHeaders,
  ): Promise<{ principal: Principal; auth: SigV4Identity }> {
    const { db, clock, config } = this.deps;
    const auth = await verifySigV4(
      { method: r.method, rawPath: r.rawPath, rawQuery: r.rawQuery, headers },
      (id) => lookupAccessKey(db, id),
      clock.now(),
      { region: config.region },
    );
    void touchAccessKey(db, auth.accessKeyId, clock.date());
    return { principal: await this.principal(auth.userId), auth };
  }

  private async principal(userId: string): Promise<Principal> {
    const now = Date.now();
    const hit = this.users.get(userId);
    if (hit && now - hit.at < USER_CACHE_MS) return hit.principal;
    const row = await this.deps.db('users').where({ id: userId }).first('id', 'is_admin', 'name');
    const principal: Principal = { userId, isAdmin: Boolean(row?.is_admin), tokenId: null, name: row?.name };
    if (this.users.size > 10_000) this.users.clear();
    this.users.set(userId, { principal, at: now });
    return principal;
  }

  /** The resource name of a bucket, or of one of its objects. */
  resource(bucket: Pick<BucketRow, 'id' | 'owner'>, key?: string): string {
    const name = this.deps.authorizer.nameOf(registry.bucket, bucket.owner, bucket.id);
    return key === undefined ? name : `${name}/${key}`;
  }

  /** Throws AccessDenied (audited) unless the call may `action` on `resource`. */
  async require(call: S3Call, action: string, resource: string, bucketId?: string) {
    try {
      await this.deps.authorizer.require(call.principal, action, resource, call.sourceIp);
    } catch (err) {
      await this.refused(call, action, bucketId, { code: 'AccessDenied', status: 403 });
      throw err;
    }
  }

  allows(call: S3Call, action: string, resource: string) {
    return this.deps.authorizer.allows(call.principal, action, resource, call.sourceIp);
  }

  /** The audit record of a successful write, in its transaction. */
  async audited(
    trx: Knex.Transaction,
    call: S3Call,
    action: string,
    bucketId: string | undefined,
    details: Record<string, unknown>,
  ) {
    await writeAudit(trx, {
      user_id: call.principal.userId,
      action,
      resource_type: 'bucket',
      resource_id: bucketId ?? null,
      status: 'success',
      details: { ...details, door: 's3' },
      source_ip: call.sourceIp || null,
      request_id: call.requestId,
    });
  }

  /** The audit record of a refused or failed write (never failing the answer). */
  async refused(
    call: Pick<S3Call, 'requestId' | 'sourceIp'> & { principal?: Principal },
    action: string,
    bucketId: string | undefined,
    details: Record<string, unknown>,
  ) {
    await writeAudit(this.deps.db, {
      user_id: call.principal?.userId ?? null,
      action,
      resource_type: 'bucket',
      resource_id: bucketId ?? null,
      status: 'failure',
      details: { ...details, door: 's3' },
      source_ip: call.sourceIp || null,
      request_id: call.requestId,
    }).catch((err) => this.deps.log.error({ err, request_id: call.requestId }, 'audit write failed'));
  }
}
