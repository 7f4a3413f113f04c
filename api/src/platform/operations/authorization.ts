// Whether a principal may call an operation, in one place for every caller (REST, the stack engine, the event
// stream): first the rules the contract states (x-admin-only, x-self), then the caller's IAM policies. Tenancy
// stays the outer wall: a resource name always carries the caller's own id as owner, so a decision never depends on
// whether another owner's resource exists (that is the handler's 404).
import type { Knex } from 'knex';
import { registry } from '../../generated/registry.js';
import type { Clock } from '../clock.js';
import type { ResourceMeta } from '../resources/registry-types.js';
import { problems } from '../problems.js';
import type { OperationMeta } from './context.js';
import { evaluate, mayAllow, type Context, type Decision } from './policy-evaluation.js';
import type { PolicySet, PolicyStore } from './policy-store.js';
import { resourceName } from './policy-vocabulary.js';
import { operations, type Spec } from './spec.js';
import type { Principal } from './principals.js';

/** What a list answer is filtered through: the items the caller may read under their policies' Resource patterns. */
export type ItemFilter = (items: Record<string, unknown>[]) => Record<string, unknown>[];

export interface Request {
  principal: Principal;
  params: Record<string, any>;
  body?: unknown;
  sourceIp: string;
}

/** How an operation names what it acts on, worked out once from its path and kind. */
export interface Target {
  kind?: ResourceMeta;
  /** the path parameter holding the id of the resource acted on; absent for a collection (create, list) */
  idParam?: string;
  /** a GET of a collection: its items are filtered */
  list: boolean;
  /** condition keys the operation declares (x-condition-keys): key -> body field */
  conditionKeys: Record<string, string>;
  /** x-subresource: the query parameter naming the part acted on (a bucket's object): `<name>/<value>` */
  subresource?: string;
}

export function targetOf(meta: OperationMeta, conditionKeys: Record<string, { field: string }> = {}): Target {
  const kind = meta.kind ? registry[meta.kind] : undefined;
  const item = kind?.paths.item;
  const idParam =
    item && (meta.path === item || meta.path.startsWith(`${item}/`)) ? 'id' : /\{(\w+)\}$/.exec(meta.path)?.[1];
  return {
    kind,
    idParam: kind ? idParam : undefined,
    list: meta.method === 'GET' && !!kind && !idParam,
    conditionKeys: Object.fromEntries(Object.entries(conditionKeys).map(([k, v]) => [k, v.field])),
  };
}

const SIMULATE = '/api/security/policies/simulate';

export class Authorizer {
  /** each operation's action, by operation id */
  private permissions: Map<string, string>;

  constructor(
    private store: PolicyStore,
    private region: string,
    private clock: Clock,
    private db: Knex,
    spec: Spec,
  ) {
    this.permissions = new Map(operations(spec).map((o) => [o.op.operationId, String(o.op['x-permission'])]));
  }

  /**
   * Throws 403 AccessDenied (or the contract's own refusals) unless the call is allowed. A list is allowed when some
   * statement could allow its action; the answer's items are then filtered one by one (the returned filter).
   */
  async authorize(meta: OperationMeta, target: Target, r: Request): Promise<ItemFilter | undefined> {
    const { principal } = r;
    if (principal.isAdmin || meta.anonymous) return undefined;
    if (meta.adminOnly) throw problems.forbidden(meta.permission);
    // x-self: a user may act on their own user record; another user's is a 404 (tenancy never confirms existence).
    if (meta.self && r.params[meta.self] !== principal.userId)
      throw problems.notFound('user', String(r.params[meta.self]));
    const set = await this.store.forUser(principal.userId);
    const context = this.context(principal, r, target);
    const resource = this.nameFor(meta, target, principal, r.params);
    if (target.idParam && set.readsResourceTags && target.kind) {
      Object.assign(context, await this.resourceTags(target.kind, String(r.params[target.idParam]), principal));
    }
    const decision = evaluate(set.policies, { action: meta.permission, resource, context });
    if (decision.decision === 'allowed') return target.list ? this.filter(meta, target, set, r, context) : undefined;
    // A list of a collection no pattern names as a whole may still hold items some statement allows.
    if (target.list && decision.decision === 'implicit_deny' && mayAllow(set.policies, meta.permission, context))
      return this.filter(meta, target, set, r, context);
    throw accessDenied(meta.permission, resource, decision, set);
  }

  /** Whether the caller may read one resource (the event stream's test for each event). */
  async mayRead(principal: Principal, kind: ResourceMeta, id: string, owner: string | null): Promise<boolean> {
    if (principal.isAdmin) return true;
    // The kind's Get action (or its List action, for a kind read only in lists, such as tokens).
    const op = kind.operations.get ?? kind.operations.list;
    const action = op ? this.permissions.get(op) : undefined;
    if (!action) return false;
    const set = await this.store.forUser(principal.userId);
    const context = this.context(principal, { principal, params: {}, sourceIp: '' }, undefined);
    const resource = resourceName(kind, this.region, kind.publicRead ? '' : (owner ?? ''), id);
    return evaluate(set.policies, { action, resource, context }).decision === 'allowed';
  }

  /** The decision for one (action, resource) pair under a user's policies: what simulate answers. */
  async decide(principal: Principal, action: string, resource: string, extra: Context): Promise<Decision> {
    const set = await this.store.forUser(principal.userId);
    return evaluate(set.policies, {
      action,
      resource,
      context: { ...this.context(principal, { principal, params: {}, sourceIp: '' }, undefined), ...extra },
    });
  }

  /**
   * For a door that names its own actions and resources (the S3 protocol): throws 403 AccessDenied unless the
   * caller's policies allow `action` on `resource`. Admins are never evaluated.
   */
  async require(principal: Principal, action: string, resource: string, sourceIp: string): Promise<void> {
    if (principal.isAdmin) return;
    const set = await this.store.forUser(principal.userId);
    const context = this.context(principal, { principal, params: {}, sourceIp }, undefined);
    const decision = evaluate(set.policies, { action, resource, context });
    if (decision.decision !== 'allowed') throw accessDenied(action, resource, decision, set);
  }

  /** Whether the caller may `action` on `resource` (a list's test for each item it holds). */
  async allows(principal: Principal, action: string, resource: string, sourceIp: string): Promise<boolean> {
    return this.require(principal, action, resource, sourceIp).then(
      () => true,
      () => false,
    );
  }

  /** The name of a resource as policies match it: `atx:<service>:<region>:<owner>:<kind>/<id>`. */
  nameOf(kind: ResourceMeta, owner: string, id: string): string {
    return resourceName(kind, this.region, owner, id);
  }

  policiesOf(userId: string): PolicySet | Promise<PolicySet> {
    return this.store.forUser(userId);
  }

  private filter(meta: OperationMeta, target: Target, set: PolicySet, r: Request, context: Context): ItemFilter {
    const kind = target.kind!;
    return (items) =>
      items.filter((item) => {
        const owner = this.ownerOf(meta, kind, r.principal, r.params, item);
        const resource = resourceName(kind, this.region, owner, String(item.id));
        const tags = set.readsResourceTags ? tagContext('ResourceTag', item) : {};
        return (
          evaluate(set.policies, { action: meta.permission, resource, context: { ...context, ...tags } }).decision ===
          'allowed'
        );
      });
  }

  private nameFor(meta: OperationMeta, target: Target, principal: Principal, params: Record<string, any>): string {
    const service = meta.permission.split(':')[0]!;
    if (!target.kind) return `atx:${service}:${this.region}:${principal.userId}:*`;
    const id = target.idParam ? String(params[target.idParam]) : '*';
    const name = resourceName(target.kind, this.region, this.ownerOf(meta, target.kind, principal, params), id);
    return target.subresource ? `${name}/${String(params[target.subresource])}` : name;
  }

  /** The owner a resource name carries: the caller (tenancy), the user an x-self path names, or none (shared). */
  private ownerOf(
    meta: OperationMeta,
    kind: ResourceMeta,
    principal: Principal,
    params: Record<string, any>,
    item?: Record<string, unknown>,
  ): string {
    if (meta.self) return String(params[meta.self]);
    if (kind.kind === 'user') return String(item?.id ?? params.id ?? '');
    if (kind.publicRead || !('owner' in kind.properties)) return '';
    return item ? String(item.owner ?? '') : principal.userId;
  }

  private context(principal: Principal, r: Request, target: Target | undefined): Record<string, Context[string]> {
    const context: Record<string, Context[string]> = {
      'atx:PrincipalId': principal.userId,
      'atx:CurrentTime': this.clock.date().toISOString(),
      'atx:RequestedRegion': this.region,
    };
    if (principal.name) context['atx:PrincipalName'] = principal.name;
    if (r.sourceIp) context['atx:SourceIp'] = r.sourceIp.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
    const body = r.body && typeof r.body === 'object' ? (r.body as Record<string, unknown>) : undefined;
    if (body) {
      Object.assign(context, tagContext('RequestTag', body));
      for (const [key, field] of Object.entries(target?.conditionKeys ?? {})) {
        const v = body[field];
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') context[key] = v;
      }
    }
    return context;
  }

  /** The tags of the caller's own resource acted on (none when it is not theirs: the handler answers 404). */
  private async resourceTags(kind: ResourceMeta, id: string, principal: Principal): Promise<Context> {
    const column = 'metadata' in kind.properties ? 'metadata' : 'tags' in kind.properties ? 'tags' : undefined;
    if (!column) return {};
    const row = await this.db(kind.table)
      .where({ id })
      .first(column, ...('owner' in kind.properties ? ['owner'] : []));
    if (!row || ('owner' in row && row.owner !== principal.userId)) return {};
    return tagContext('ResourceTag', row, column);
  }
}

/** atx:<prefix>/<key> for each member of an object's metadata (or tags); atx:TagKeys for a request's keys. */
function tagContext(prefix: 'ResourceTag' | 'RequestTag', holder: Record<string, unknown>, column?: string): Context {
  const tags = holder[column ?? ('metadata' in holder ? 'metadata' : 'tags')];
  if (!tags || typeof tags !== 'object' || Array.isArray(tags)) return {};
  const out: Record<string, Context[string]> = {};
  for (const [k, v] of Object.entries(tags))
    if (v !== null && typeof v !== 'object') out[`atx:${prefix}/${k}`] = String(v);
  if (prefix === 'RequestTag') out['atx:TagKeys'] = Object.keys(tags);
  return out;
}

function accessDenied(action: string, resource: string, decision: Decision, set: PolicySet) {
  const by = decision.decision === 'explicit_deny' ? decision.by : undefined;
  const policy = by && set.policies.find((p) => p.id === by.policyId);
  return problems.accessDenied({
    action,
    resource,
    decision: decision.decision as 'explicit_deny' | 'implicit_deny',
    deciding_statement: by && {
      policy_id: by.policyId,
      ...(policy ? { policy_name: policy.name } : {}),
      ...(by.sid ? { sid: by.sid } : {}),
      index: by.index,
    },
    simulate: SIMULATE,
  });
}
