// Security group rules as their own resources: checked, unique in their direction, at most 60 per direction; every
// change rewrites the group's ingress/egress lists in the same transaction.
import { getHandler, listHandler } from '../platform/resources/crud.js';
import type { OpContext } from '../platform/operations/context.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { checkIfMatch, mergePatch, type Row } from '../platform/resources/repo.js';
import { MAX_RULES_PER_DIRECTION, checkRule, ruleKey, rules, securityGroups, syncGroup } from './rules.js';

/** The rule and its group, locked group first (as creates and group deletes lock), the rule's If-Match checked. */
async function lockRule(ctx: OpContext) {
  const seen = await rules.get(ctx.db, ctx.principal, ctx.params.id);
  const group = await securityGroups.get(ctx.db, ctx.principal, seen.security_group_id, true);
  const row = await rules.get(ctx.db, ctx.principal, ctx.params.id, true);
  checkIfMatch(ctx.ifMatch, row);
  return { group, row };
}

function ruleHandlers(): KindHandlers<'security_group_rule'> {
  return {
    listSecurityGroupRules: listHandler(rules, ['security_group_id', 'direction']),
    async listSecurityGroupRulesOfGroup(ctx) {
      await securityGroups.get(ctx.db, ctx.principal, ctx.params.id);
      return listHandler(rules, ['direction'], () => ({ security_group_id: ctx.params.id }))(ctx);
    },
    getSecurityGroupRule: getHandler(rules),
    async updateSecurityGroupRule(ctx) {
      const { group, row } = await lockRule(ctx);
      const changes = mergePatch(rules.meta, ctx.body, rules.present(row));
      const updated = await rules.update(ctx.db, row, changes);
      await syncGroup(ctx.db, group); // the group's lists show descriptions too
      ctx.audit = {
        resource_type: 'security_group_rule',
        resource_id: row.id,
        details: { changed: Object.keys(changes) },
      };
      return { status: 200, body: rules.present(updated) };
    },
    async createSecurityGroupRule(ctx) {
      const groupId = ctx.params.id as string;
      if (ctx.body.security_group_id !== undefined && ctx.body.security_group_id !== groupId)
        throw problems.invalidField('security_group_id', `must be the group of the path (${groupId}) or left out`);
      // Locking the group serialises its rule changes, so the duplicate and limit checks hold.
      const group = await securityGroups.get(ctx.db, ctx.principal, groupId, true);
      const spec = await checkRule(ctx.db, group, ctx.body, '');
      const direction = ctx.body.direction;
      const siblings = await ctx.db(rules.table).where({ security_group_id: groupId, direction }).orderBy('seq');
      const same = siblings.find((r: Row) => ruleKey(r) === ruleKey(spec));
      if (same) throw problems.duplicate('security_group_rule', same.id, `this ${direction} rule of ${groupId}`);
      if (siblings.length >= MAX_RULES_PER_DIRECTION)
        throw problems.limitExceeded(
          `security group ${groupId} already has ${MAX_RULES_PER_DIRECTION} ${direction} rules, the most a direction may hold.`,
        );
      const row = await rules.insert(ctx.db, { ...spec, security_group_id: groupId, direction, owner: group.owner });
      await syncGroup(ctx.db, group);
      ctx.audit = { resource_type: 'security_group_rule', resource_id: row.id };
      return { status: 201, body: rules.present(row), headers: { Location: rules.location(row.id) } };
    },
    async deleteSecurityGroupRule(ctx) {
      const { group, row } = await lockRule(ctx);
      await rules.remove(ctx.db, row);
      await syncGroup(ctx.db, group);
      ctx.audit = { resource_type: 'security_group_rule', resource_id: row.id };
      return { status: 204 };
    },
  };
}

export const securityGroupRuleKind = defineKind('security_group_rule', { handlers: ruleHandlers });
