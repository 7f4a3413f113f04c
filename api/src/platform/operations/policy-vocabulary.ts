// What IAM policies name: resources as `atx:<service>:<region>:<owner>:<kind>/<id>`, the actions (every operation's
// x-permission), and the condition keys a request carries. One table, so documents are checked against it and the
// docs list it.
import { operations, type Spec } from './spec.js';
import type { ResourceMeta } from '../resources/registry-types.js';
import type { PolicyVocabulary } from './policy-documents.js';

/** The name a policy's Resource matches: owner empty for a kind without owners (a flavor, say). */
export function resourceName(meta: ResourceMeta, region: string, owner: string | null | undefined, id: string): string {
  return `atx:${meta.service}:${region}:${owner ?? ''}:${meta.kind}/${id}`;
}

/** The condition keys every request carries (or may), with what they hold. */
export const GLOBAL_CONDITION_KEYS: Readonly<Record<string, string>> = {
  'atx:SourceIp': "the caller's address (as ATONIX_TRUST_PROXY decides it)",
  'atx:CurrentTime': 'the time of the request (RFC 3339, UTC)',
  'atx:PrincipalName': "the caller's user name",
  'atx:PrincipalId': "the caller's user id",
  'atx:RequestedRegion': 'the region the request is for',
  'atx:ResourceTag/<key>': "a tag of the resource acted on (its metadata or tags object's member <key>)",
  'atx:RequestTag/<key>': "a tag the request sets (the body's metadata or tags member <key>)",
  'atx:TagKeys': 'the tag keys the request sets (a set: use ForAnyValue: or ForAllValues:)',
};

const TAGGED = /^atx:(ResourceTag|RequestTag)\/[^/]{1,128}$/;

/** Every action of the contract, and a test for condition keys: the global ones and the operations' own. */
export function policyVocabulary(spec: Spec): PolicyVocabulary {
  const ops = operations(spec);
  // Every operation's action, the action of its x-subresource (an object of a bucket), and the actions only
  // another door has (x-actions at the contract's root: the S3 protocol's).
  const actions = [
    ...new Set([
      ...ops.map((o) => String(o.op['x-permission'])),
      ...ops.flatMap((o) => (o.op['x-subresource'] ? [String(o.op['x-subresource'].permission)] : [])),
      ...Object.keys((spec as { 'x-actions'?: Record<string, string> })['x-actions'] ?? {}),
    ]),
  ].sort();
  // An operation may declare keys of its own next to x-permission (x-condition-keys: { 'compute:FlavorId': ... }).
  const own = new Set(ops.flatMap((o) => Object.keys(o.op['x-condition-keys'] ?? {})));
  return {
    actions,
    isConditionKey: (key) => key in GLOBAL_CONDITION_KEYS || TAGGED.test(key) || own.has(key),
  };
}
