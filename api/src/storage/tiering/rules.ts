// Lifecycle rules: one normalised form (the REST JSON, every member present, null when unset), the checks both
// doors share (each refusal with a JSON pointer), and S3's XML form read and written (classes in S3's names).
import { randomBytes } from 'node:crypto';
import { type FieldError, problems } from '../../platform/problems.js';
import type { Schemas } from '../../platform/resources/repo.js';
import type { XmlObject, XmlParsed, XmlTree } from '../s3/xml.js';
import { fromS3Name, S3_NAME } from './classes.js';

export type Rule = Schemas['LifecycleRule'];

const MEMBERS = [
  'prefix',
  'tags',
  'transition_infrequent_days',
  'transition_archive_days',
  'expiration_days',
  'expired_object_delete_marker',
  'noncurrent_version_expiration_days',
  'newer_noncurrent_versions',
  'abort_incomplete_multipart_upload_days',
] as const;
const ACTIONS = MEMBERS.slice(2).filter((m) => m !== 'newer_noncurrent_versions');

/** Every member present (null when unset), so what is stored is what Terraform planned, member for member. */
export function normalise(rules: Rule[]): Rule[] {
  return rules.map((r) => {
    const out: Record<string, unknown> = { id: r.id, status: r.status };
    for (const m of MEMBERS) out[m] = r[m] ?? null;
    return out as Rule;
  });
}

const DAYS = { min: 0, max: 36500 };

/** The rules' refusals, each at its pointer (the schema's bounds included: the S3 door has no schema check). */
export function ruleErrors(rules: Rule[]): FieldError[] {
  const errors: FieldError[] = [];
  const at = (i: number, m: string, detail: string, code = 'InvalidLifecycleRule') =>
    errors.push({ pointer: `/rules/${i}${m ? `/${m}` : ''}`, detail, code });
  if (rules.length < 1 || rules.length > 1000) errors.push({ pointer: '/rules', detail: 'must hold 1 to 1000 rules' });
  const ids = new Set<string>();
  rules.forEach((r, i) => {
    if (!r.id || r.id.length > 255) at(i, 'id', 'must be 1 to 255 characters');
    if (ids.has(r.id)) at(i, 'id', `is the id of an earlier rule; ids are unique`, 'DuplicateRuleId');
    ids.add(r.id);
    if (r.status !== 'Enabled' && r.status !== 'Disabled') at(i, 'status', 'must be Enabled or Disabled');
    for (const m of ACTIONS) {
      const v = r[m] as unknown;
      if (typeof v !== 'number') continue;
      if (!Number.isInteger(v) || v < DAYS.min || v > DAYS.max) at(i, m, 'must be a whole number of days to 36500');
    }
    const ia = r.transition_infrequent_days;
    const archive = r.transition_archive_days;
    const expiry = r.expiration_days;
    if (!ACTIONS.some((m) => r[m] !== null && r[m] !== undefined && r[m] !== false))
      at(i, '', 'needs at least one action (a transition, an expiration or an abort of uploads)');
    if (ia != null && ia < 30)
      at(i, 'transition_infrequent_days', 'must be at least 30 (as S3 has it for STANDARD_IA)');
    if (ia != null && archive != null && archive <= ia)
      at(i, 'transition_archive_days', `must be later than transition_infrequent_days (${ia})`);
    const latest = Math.max(ia ?? -1, archive ?? -1);
    if (expiry != null && expiry <= latest)
      at(i, 'expiration_days', `must be later than the rule's transitions (${latest} days)`);
    if (expiry != null && expiry < 1) at(i, 'expiration_days', 'must be at least 1');
    if (r.expired_object_delete_marker && expiry != null)
      at(i, 'expired_object_delete_marker', 'may not be set with expiration_days');
    const tagged = r.tags && Object.keys(r.tags).length > 0;
    if (tagged && r.expired_object_delete_marker)
      at(i, 'expired_object_delete_marker', 'may not be set in a rule filtered by tags');
    if (tagged && r.abort_incomplete_multipart_upload_days != null)
      at(
        i,
        'abort_incomplete_multipart_upload_days',
        'may not be set in a rule filtered by tags (uploads have none yet)',
      );
    if (r.newer_noncurrent_versions != null && r.noncurrent_version_expiration_days == null)
      at(i, 'newer_noncurrent_versions', 'needs noncurrent_version_expiration_days');
    if (r.tags && Object.keys(r.tags).length > 10) at(i, 'tags', 'may hold at most 10 tags');
  });
  return errors;
}

/** REST: 422 with every refusal. */
export function checkRules(rules: Rule[]) {
  const errors = ruleErrors(rules);
  if (errors.length) throw problems.validation(errors);
}

const text = (v: XmlParsed | undefined) => (typeof v === 'string' ? v.trim() : undefined);
const tree = (v: XmlParsed | undefined): XmlTree => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const days = (v: XmlParsed | undefined, name: string): number | null => {
  const t = text(v);
  if (t === undefined) return null;
  if (!/^\d+$/.test(t)) throw problems.s3('MalformedXML', `${name} must be a whole number of days.`);
  return Number(t);
};
const unsupported = (what: string) => problems.s3('NotImplemented', `${what} is not implemented by this lifecycle.`);

function tagsOf(list: XmlParsed | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of (Array.isArray(list) ? list : []).map(tree)) {
    const key = text(t.Key);
    if (!key) throw problems.s3('MalformedXML', 'A Tag needs a Key.');
    if (key in out) throw problems.s3('InvalidArgument', `The tag key ${key} is given twice.`);
    out[key] = text(t.Value) ?? '';
  }
  return out;
}

/** S3's `<LifecycleConfiguration>` (already parsed) as rules; refusals are S3's codes. */
export function rulesFromXml(doc: XmlTree): Rule[] {
  const rules = (Array.isArray(doc.Rule) ? doc.Rule : []).map(tree).map((r): Rule => {
    const filter = tree(r.Filter);
    const and = tree(filter.And);
    for (const k of ['ObjectSizeGreaterThan', 'ObjectSizeLessThan'])
      if (k in filter || k in and) throw unsupported(`The filter ${k}`);
    if (r.NoncurrentVersionTransition !== undefined) throw unsupported('NoncurrentVersionTransition');
    const tags = { ...tagsOf(filter.Tag), ...tagsOf(and.Tag) };
    const prefix = text(and.Prefix) ?? text(filter.Prefix) ?? text(r.Prefix);
    const out: Record<string, unknown> = {
      id: text(r.ID) || randomBytes(12).toString('base64url'),
      status: text(r.Status),
      prefix: prefix || null,
      tags: Object.keys(tags).length ? tags : null,
    };
    for (const t of (Array.isArray(r.Transition) ? r.Transition : []).map(tree)) {
      if (t.Date !== undefined) throw unsupported('A transition by Date');
      const cls = fromS3Name(text(t.StorageClass) ?? '', 'StorageClass');
      if (cls === 'STANDARD') throw problems.s3('InvalidArgument', 'A transition cannot be to STANDARD.');
      const member = cls === 'INFREQUENT' ? 'transition_infrequent_days' : 'transition_archive_days';
      if (out[member] != null) throw problems.s3('InvalidArgument', `Two transitions go to ${S3_NAME[cls]}.`);
      out[member] = days(t.Days, 'Transition Days') ?? 0;
    }
    const exp = tree(r.Expiration);
    if (exp.Date !== undefined) throw unsupported('An expiration by Date');
    out.expiration_days = days(exp.Days, 'Expiration Days');
    out.expired_object_delete_marker = text(exp.ExpiredObjectDeleteMarker) === 'true' ? true : null;
    const nc = tree(r.NoncurrentVersionExpiration);
    out.noncurrent_version_expiration_days = days(nc.NoncurrentDays, 'NoncurrentDays');
    out.newer_noncurrent_versions = days(nc.NewerNoncurrentVersions, 'NewerNoncurrentVersions');
    out.abort_incomplete_multipart_upload_days = days(
      tree(r.AbortIncompleteMultipartUpload).DaysAfterInitiation,
      'DaysAfterInitiation',
    );
    return out as Rule;
  });
  const errors = ruleErrors(rules);
  if (errors.length)
    throw problems.s3('InvalidArgument', errors.map((e) => `Rule ${e.pointer.split('/')[2]}: ${e.detail}`).join('; '));
  return normalise(rules);
}

/** The rules as S3's `<LifecycleConfiguration>` children. */
export function rulesToXml(rules: Rule[]): XmlObject {
  return {
    Rule: rules.map((r) => {
      const tags = Object.entries(r.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
      const filter: XmlObject =
        tags.length > 1 || (tags.length && r.prefix)
          ? { And: { Prefix: r.prefix ?? undefined, Tag: tags } }
          : tags.length
            ? { Tag: tags[0] }
            : r.prefix
              ? { Prefix: r.prefix }
              : {};
      const transitions: XmlObject[] = [];
      if (r.transition_infrequent_days != null)
        transitions.push({ Days: r.transition_infrequent_days, StorageClass: S3_NAME.INFREQUENT });
      if (r.transition_archive_days != null)
        transitions.push({ Days: r.transition_archive_days, StorageClass: S3_NAME.ARCHIVE });
      const nc = r.noncurrent_version_expiration_days;
      return {
        ID: r.id,
        Filter: filter,
        Status: r.status,
        Transition: transitions,
        Expiration:
          r.expiration_days != null
            ? { Days: r.expiration_days }
            : r.expired_object_delete_marker
              ? { ExpiredObjectDeleteMarker: true }
              : undefined,
        NoncurrentVersionExpiration:
          nc != null
            ? { NoncurrentDays: nc, NewerNoncurrentVersions: r.newer_noncurrent_versions ?? undefined }
            : undefined,
        AbortIncompleteMultipartUpload:
          r.abort_incomplete_multipart_upload_days != null
            ? { DaysAfterInitiation: r.abort_incomplete_multipart_upload_days }
            : undefined,
      };
    }),
  };
}
