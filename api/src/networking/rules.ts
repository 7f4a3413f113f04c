// Security group rules: what makes one valid, when two are the same, and the group's ingress/egress view of them.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, type Row, type Schemas, type StoredRow } from '../platform/resources/repo.js';
import { parseCidr } from './cidr.js';

export const securityGroups = new ResourceRepo<Schemas['SecurityGroup']>(registry.security_group);
export const rules = new ResourceRepo<Schemas['SecurityGroupRule']>(registry.security_group_rule);
export type GroupRow = StoredRow<Schemas['SecurityGroup']>;
export type Direction = 'ingress' | 'egress';
export type RuleSpec = Schemas['RuleSpec'];
type Db = Knex | Knex.Transaction;

/** A direction may hold at most this many rules (AWS's default quota). */
export const MAX_RULES_PER_DIRECTION = 60;

/** A rule's fields in one shape, every key present (null where unset), as the group's lists show it. */
export const specOf = (r: Row): Required<RuleSpec> => ({
  protocol: r.protocol,
  from_port: r.from_port ?? null,
  to_port: r.to_port ?? null,
  cidr_block: r.cidr_block ?? null,
  source_security_group_id: r.source_security_group_id ?? null,
  description: r.description ?? null,
});

/** What makes two rules of a direction the same (the description aside). */
export const ruleKey = (r: Row) =>
  [r.protocol, r.from_port ?? '', r.to_port ?? '', r.cidr_block ?? '', r.source_security_group_id ?? ''].join('|');

/**
 * Checks one rule of group `group` and returns it in its stored shape. `at` prefixes the JSON pointers
 * (`ingress/2/` for the third inbound rule of a group's list, '' for a rule resource).
 */
export async function checkRule(db: Db, group: GroupRow, raw: Row, at: string): Promise<Required<RuleSpec>> {
  const r = specOf(raw);
  const field = (f: string) => `${at}${f}`;
  const port = (f: 'from_port' | 'to_port', max: number, what: string) => {
    const v = r[f];
    if (v !== null && (v < 0 || v > max))
      throw problems.invalidField(field(f), `must be ${what} from 0 to ${max}`, 'InvalidPortRange');
  };
  if (r.protocol === 'tcp' || r.protocol === 'udp') {
    for (const f of ['from_port', 'to_port'] as const)
      if (r[f] === null) throw problems.invalidField(field(f), `is required for ${r.protocol}`, 'InvalidPortRange');
    port('from_port', 65535, 'a port');
    port('to_port', 65535, 'a port');
    if (r.from_port! > r.to_port!)
      throw problems.invalidField(field('to_port'), `must be at least from_port (${r.from_port})`, 'InvalidPortRange');
  } else if (r.protocol === 'icmp') {
    port('from_port', 255, 'an ICMP type');
    port('to_port', 255, 'an ICMP code');
    if (r.from_port === null && r.to_port !== null)
      throw problems.invalidField(
        field('to_port'),
        'may only be set with an ICMP type in from_port',
        'InvalidPortRange',
      );
  } else {
    for (const f of ['from_port', 'to_port'] as const)
      if (r[f] !== null) throw problems.invalidField(field(f), 'must be left out for protocol all', 'InvalidPortRange');
  }
  if ((r.cidr_block === null) === (r.source_security_group_id === null))
    throw problems.invalidField(
      field('cidr_block'),
      'exactly one of cidr_block and source_security_group_id is required',
      'InvalidPeer',
    );
  if (r.cidr_block !== null) {
    const c = parseCidr(r.cidr_block);
    if (typeof c === 'string') throw problems.invalidField(field('cidr_block'), c, 'InvalidCidr');
  } else if (r.source_security_group_id !== group.id) {
    const peer = await db(securityGroups.table)
      .where({ id: r.source_security_group_id, owner: group.owner })
      .first('vpc_id');
    if (!peer) throw problems.referenceNotFound(field('source_security_group_id'), r.source_security_group_id);
    if (peer.vpc_id !== group.vpc_id)
      throw problems.invalidField(
        field('source_security_group_id'),
        `must be a group of the same VPC (${group.vpc_id})`,
        'GroupOutsideVpc',
      );
  }
  return r;
}

/** The group's ingress and egress lists from its rules, in the order they were added. */
export async function rulesView(db: Db, groupId: string): Promise<Record<Direction, Required<RuleSpec>[]>> {
  const rows = await db(rules.table).where({ security_group_id: groupId }).orderBy('seq');
  return {
    ingress: rows.filter((r: Row) => r.direction === 'ingress').map(specOf),
    egress: rows.filter((r: Row) => r.direction === 'egress').map(specOf),
  };
}

/** Rewrites the group's lists after its rules changed (same transaction), bumping its ETag. */
export async function syncGroup(db: Db, group: GroupRow): Promise<GroupRow> {
  return securityGroups.update(db, group, await rulesView(db, group.id));
}

/**
 * Makes `direction`'s rules exactly `wanted` (already checked): rules that stay keep their ids (a changed description
 * is written), the others go, new ones are added. Duplicates within `wanted` are a 422 at the second one.
 */
export async function replaceRules(
  db: Db,
  group: GroupRow,
  direction: Direction,
  wanted: Required<RuleSpec>[],
): Promise<void> {
  const seen = new Map<string, number>();
  wanted.forEach((w, i) => {
    const k = ruleKey(w);
    if (seen.has(k))
      throw problems.invalidField(`${direction}/${i}`, `duplicates ${direction}/${seen.get(k)}`, 'DuplicateRule');
    seen.set(k, i);
  });
  const current = await db(rules.table).where({ security_group_id: group.id, direction });
  const byKey = new Map(current.map((r: Row) => [ruleKey(r), r]));
  for (const r of current) if (!seen.has(ruleKey(r))) await rules.remove(db, r);
  for (const w of wanted) {
    const existing = byKey.get(ruleKey(w));
    if (!existing) await rules.insert(db, { ...w, security_group_id: group.id, direction, owner: group.owner });
    else if ((existing.description ?? null) !== w.description)
      await rules.update(db, existing as never, { description: w.description });
  }
}

/** The rules a new group starts with when its create leaves a direction out (AWS's: none in, everything out). */
export const ALL_OUT: Required<RuleSpec> = {
  protocol: 'all',
  from_port: null,
  to_port: null,
  cidr_block: '0.0.0.0/0',
  source_security_group_id: null,
  description: null,
};
