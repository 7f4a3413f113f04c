// Data access of templates' numbered versions (only this file names their table).
import type { Knex } from 'knex';
import { page } from '../platform/resources/pagination.js';
import type { Json } from './stacks/template-model.js';

type Db = Knex | Knex.Transaction;
const TABLE = 'template_versions';

export interface VersionRow {
  template_id: string;
  version: number;
  template: Record<string, Json>;
  template_body: string;
  created_at: Date;
  seq: number;
}

export const templateVersions = {
  get: (db: Db, templateId: string, version: number): Promise<VersionRow | undefined> =>
    db(TABLE).where({ template_id: templateId, version }).first(),

  async add(db: Db, templateId: string, version: number, doc: Record<string, Json>, body: string): Promise<VersionRow> {
    const [row] = await db(TABLE)
      .insert({ template_id: templateId, version, template: JSON.stringify(doc), template_body: body })
      .returning('*');
    return row;
  },

  page: (db: Db, templateId: string, limit: number | undefined, cursor: string | undefined) =>
    page<VersionRow>(db(TABLE).where({ template_id: templateId }).select('*'), limit, cursor),
};
