// The policies that apply to each user (attached to them, and to their groups), loaded once and kept until IAM
// changes: any change to a policy, group, membership or attachment (in this process, or in another one, heard
// through the change events' NOTIFY) empties the cache, so a detach takes effect on the next request.
import type { Knex } from 'knex';
import type { AppliedPolicy, PolicyDocument } from './policy-evaluation.js';

/** The kinds whose changes alter what someone may do. */
export const IAM_KINDS: ReadonlySet<string> = new Set([
  'policy',
  'group',
  'group_membership',
  'user_policy_attachment',
  'group_policy_attachment',
  'user',
]);

export interface PolicySet {
  policies: readonly (AppliedPolicy & { name: string })[];
  /** some statement tests atx:ResourceTag/...: the resource's tags must be read before deciding */
  readsResourceTags: boolean;
}

const MAX_USERS = 10_000;

export class PolicyStore {
  private cache = new Map<string, PolicySet>();
  private loading = new Map<string, Promise<PolicySet>>();
  /** bumped by every invalidation: a load that began before one is not remembered */
  private generation = 0;

  constructor(private db: Knex) {}

  forUser(userId: string): PolicySet | Promise<PolicySet> {
    return this.cache.get(userId) ?? this.load(userId);
  }

  /** Forgets every user's policies (IAM changed somewhere). */
  invalidate(): void {
    this.generation++;
    this.cache.clear();
    this.loading.clear();
  }

  private load(userId: string): Promise<PolicySet> {
    let p = this.loading.get(userId);
    if (p) return p;
    const generation = this.generation;
    p = this.read(userId).then(
      (set) => {
        if (generation === this.generation) {
          if (this.cache.size >= MAX_USERS) this.cache.clear();
          this.cache.set(userId, set);
          this.loading.delete(userId);
        }
        return set;
      },
      (e) => {
        if (generation === this.generation) this.loading.delete(userId);
        throw e;
      },
    );
    this.loading.set(userId, p);
    return p;
  }

  private async read(userId: string): Promise<PolicySet> {
    const { rows } = await this.db.raw<{ rows: { id: string; name: string; document: PolicyDocument }[] }>(
      `select p.id, p.name, p.document from policies p
         join user_policy_attachments a on a.policy_id = p.id where a.user_id = ?
       union
       select p.id, p.name, p.document from policies p
         join group_policy_attachments g on g.policy_id = p.id
         join group_memberships m on m.group_id = g.group_id where m.user_id = ?
       order by id`,
      [userId, userId],
    );
    return {
      policies: rows,
      readsResourceTags: rows.some((r) => JSON.stringify(r.document).includes('atx:ResourceTag/')),
    };
  }
}
