// What a distribution's geographic rules make of one viewer: allowed or denied (CloudFront's geo restriction: an
// unknown country passes a deny list and fails an allow list), and the origin its country or continent routes to.
// Pure, so the edge calls it per request and the tests call it directly.
import type { GeoRules } from '../model.js';

/** Where the viewer is, as far as the edge could tell: both undefined when it could not. */
export interface Viewer {
  /** ISO 3166-1 alpha-2, upper case */
  country?: string;
  /** AF AN AS EU NA OC SA */
  continent?: string;
}

export type GeoDecision =
  | { allowed: false }
  /** `target_origin_id` only when a route matched: otherwise the behaviour's own target serves */
  | { allowed: true; target_origin_id?: string };

/** True when the rules need the viewer's location at all: the edge skips the lookup otherwise. */
export const geoApplies = (rules: GeoRules): boolean =>
  rules.restriction.type !== 'none' || rules.origin_routes.length > 0;

export function geoDecision(rules: GeoRules, viewer: Viewer): GeoDecision {
  const { type, countries } = rules.restriction;
  const listed = viewer.country !== undefined && countries.includes(viewer.country);
  if ((type === 'allow' && !listed) || (type === 'deny' && listed)) return { allowed: false };
  // First match wins, whether it names the country or the continent: the operator orders specific before broad.
  const route = rules.origin_routes.find(
    (r) =>
      (viewer.country !== undefined && r.match === viewer.country) ||
      (viewer.continent !== undefined && r.match === viewer.continent),
  );
  return route ? { allowed: true, target_origin_id: route.target_origin_id } : { allowed: true };
}
