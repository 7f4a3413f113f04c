// Stored templates with immutable, numbered versions; a stack can be created from one.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import { getHandler, listHandler, deleteHandler } from '../platform/resources/crud.js';
import type { OpContext } from '../platform/operations/context.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import type { Principal } from '../platform/operations/principals.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, type Schemas } from '../platform/resources/repo.js';
import { templateVersions, type VersionRow } from './template-versions.js';
import { checkStoredTemplate, readTemplate } from './stacks/parse-template.js';

export const templates = new ResourceRepo<Schemas['Template']>(registry.template);

const presentVersion = (v: VersionRow) => ({
  template_id: v.template_id,
  version: v.version,
  template: v.template,
  template_body: v.template_body,
  created_at: v.created_at.toISOString(),
});

/** A stored version the principal may use (the latest when version is null). */
export async function templateVersion(
  db: Knex | Knex.Transaction,
  principal: Principal,
  id: string,
  version: number | null | undefined,
) {
  const tpl = await templates.get(db, principal, id).catch(() => {
    throw problems.referenceNotFound('template_id', id);
  });
  const v = await templateVersions.get(db, tpl.id, version ?? tpl.latest_version);
  if (!v) throw problems.referenceNotFound('template_version', version);
  return { doc: v.template, body: v.template_body, version: v.version };
}

async function addVersion(ctx: OpContext, tpl: { id: string }, version: number) {
  const { doc, body, base } = readTemplate(ctx.body);
  checkStoredTemplate(doc, base);
  return templateVersions.add(ctx.db, tpl.id, version, doc, body);
}

const templateHandlers = (): KindHandlers<'template'> => ({
  listTemplates: listHandler(templates, ['name']),
  getTemplate: getHandler(templates),
  deleteTemplate: deleteHandler(templates),
  async createTemplate(ctx) {
    const { name, description } = ctx.body;
    const tpl = await templates.insert(ctx.db, {
      name,
      description: description ?? null,
      owner: ctx.principal.userId,
      latest_version: 1,
    });
    await addVersion(ctx, tpl, 1);
    ctx.audit = { resource_type: 'template', resource_id: tpl.id };
    return { status: 201, body: templates.present(tpl), headers: { Location: templates.location(tpl.id) } };
  },
  async createTemplateVersion(ctx) {
    const tpl = await templates.get(ctx.db, ctx.principal, ctx.params.id, true);
    const updated = await templates.update(ctx.db, tpl, { latest_version: tpl.latest_version + 1 });
    const v = await addVersion(ctx, tpl, updated.latest_version);
    ctx.audit = { resource_type: 'template', resource_id: tpl.id, details: { version: v.version } };
    return { status: 201, body: presentVersion(v) };
  },
  async listTemplateVersions(ctx) {
    await templates.get(ctx.db, ctx.principal, ctx.params.id);
    const { rows, next_cursor } = await templateVersions.page(ctx.db, ctx.params.id, ctx.query.limit, ctx.query.cursor);
    return { status: 200, body: { items: rows.map(presentVersion), next_cursor } };
  },
  async getTemplateVersion(ctx) {
    await templates.get(ctx.db, ctx.principal, ctx.params.id);
    const v = await templateVersions.get(ctx.db, ctx.params.id, ctx.params.version);
    if (!v) throw problems.notFound('template version', `${ctx.params.id}@${ctx.params.version}`);
    return { status: 200, body: presentVersion(v) };
  },
});

export const templateKind = defineKind('template', { handlers: templateHandlers });
