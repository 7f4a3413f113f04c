// "Can A reach B?": the source's egress rules, the route, the destination's ingress rules, in that order; the first
// hop that fails is the answer. The model, kept small on purpose:
// - Security groups are stateful: answers to allowed traffic always pass, so only the forward direction is checked.
// - A rule matches by protocol (`all` matches any), port range (tcp/udp; an ICMP rule's from_port is the ICMP type,
//   compared with `port`, null meaning any), and peer: a CIDR holding the other end's whole range, or a group the
//   other end is in. An address outside the platform has no groups, so only its egress goes unchecked.
// - Routing: within a VPC the local route carries the traffic (routes may not lie inside the VPC's range, so the
//   longest match for a VPC address is always the local route). From outside the VPC, traffic enters only through
//   the internet gateway, so the destination's subnet must be public (its table, by longest prefix for the source's
//   address, sends it to the attached gateway). Between VPCs the same holds: out through the source's table, in
//   through a public destination subnet. There are no public IPs, NAT or peering; instance power state is ignored.
import type { Knex } from 'knex';
import type { Schemas } from '../../platform/resources/repo.js';
import { contains, parseCidr, type Cidr } from '../cidr.js';
import { rules } from '../rules.js';
import { attachedGateway, longestMatch, tableOfSubnet } from '../routing.js';
import type { Endpoint } from './endpoints.js';

type Db = Knex | Knex.Transaction;
/** A CIDR the platform stored (checked when written, so it parses). */
const stored = (text: string) => parseCidr(text) as Cidr;
type Hop = Schemas['ReachabilityHop'];
export type Answer = Schemas['ReachabilityAnswer'];
export interface Traffic {
  protocol: 'tcp' | 'udp' | 'icmp';
  port: number | null;
}

/** The first rule of `groups` in `direction` that lets the traffic to or from `peer` through. */
async function matchingRule(db: Db, groups: string[], direction: 'ingress' | 'egress', peer: Endpoint, t: Traffic) {
  if (!groups.length) return undefined;
  const candidates = await db(rules.table).whereIn('security_group_id', groups).where({ direction }).orderBy('seq');
  return candidates.find((r) => {
    if (r.protocol !== 'all' && r.protocol !== t.protocol) return false;
    if (r.protocol === 'tcp' || r.protocol === 'udp') {
      if (t.port === null || t.port < r.from_port || t.port > r.to_port) return false;
    } else if (r.protocol === 'icmp' && r.from_port !== null && t.port !== null && r.from_port !== t.port) return false;
    if (r.cidr_block) return contains(stored(r.cidr_block), peer.cidr);
    return peer.groups.includes(r.source_security_group_id);
  });
}

const describeTraffic = (t: Traffic) => (t.port === null ? t.protocol : `${t.protocol}/${t.port}`);

export async function analyze(db: Db, src: Endpoint, dst: Endpoint, t: Traffic): Promise<Answer> {
  const hops: Hop[] = [];
  const what = `${describeTraffic(t)} from ${src.id} to ${dst.id}`;
  const blocked = (blocked_by: Answer['blocked_by'], why: string): Answer => ({
    reachable: false,
    hops,
    blocked_by,
    explanation: `${what} is blocked: ${why}`,
  });

  if (src.kind !== 'cidr') {
    const out = await matchingRule(db, src.groups, 'egress', dst, t);
    if (!out)
      return blocked(
        'egress_rule_missing',
        `no egress rule of ${src.id}'s groups (${src.groups.join(', ') || 'none'}) allows it to ${dst.cidr.text}.`,
      );
    hops.push({
      hop: 'egress_rule',
      security_group_id: out.security_group_id,
      rule_id: out.id,
      detail: `egress rule ${out.id} of ${out.security_group_id} allows it`,
    });
  }

  const route = await routeHop(db, src, dst);
  if (typeof route === 'string') return blocked('no_route', route);
  hops.push(route);

  const inbound = await matchingRule(db, dst.groups, 'ingress', src, t);
  if (!inbound)
    return blocked(
      'ingress_rule_missing',
      `no ingress rule of ${dst.id}'s groups (${dst.groups.join(', ') || 'none'}) allows it from ${src.cidr.text}.`,
    );
  hops.push({
    hop: 'ingress_rule',
    security_group_id: inbound.security_group_id,
    rule_id: inbound.id,
    detail: `ingress rule ${inbound.id} of ${inbound.security_group_id} allows it`,
  });
  return {
    reachable: true,
    hops,
    blocked_by: null,
    explanation: `${what} is allowed; answers come back because security groups are stateful.`,
  };
}

/** The route hop, or why there is none. */
async function routeHop(db: Db, src: Endpoint, dst: Endpoint): Promise<Hop | string> {
  const dstVpc = await db('vpcs').where({ id: dst.vpcId }).first('cidr_block');
  const inDstVpc = contains(stored(dstVpc.cidr_block), src.cidr);
  if (src.vpcId === dst.vpcId || (src.kind === 'cidr' && inDstVpc)) {
    const table = await tableOfSubnet(db, { id: src.subnetId ?? dst.subnetId!, vpc_id: dst.vpcId! });
    return {
      hop: 'route',
      route_table_id: table.id,
      destination_cidr_block: dstVpc.cidr_block,
      target: 'local',
      detail: `the local route of ${table.id} carries traffic inside ${dst.vpcId}`,
    };
  }
  // Leaving the source's VPC: its table must send the destination's address to its internet gateway.
  if (src.kind !== 'cidr') {
    const table = await tableOfSubnet(db, { id: src.subnetId!, vpc_id: src.vpcId! });
    const out = longestMatch(table.routes, dst.cidr.network);
    const gw = await attachedGateway(db, src.vpcId!);
    if (!out || out.target !== 'gateway' || out.gateway_id !== gw)
      return `route table ${table.id} of ${src.subnetId} has no route to ${dst.cidr.text} through an internet gateway.`;
  }
  // Entering the destination's VPC from outside: only a public subnet answers the internet.
  const table = await tableOfSubnet(db, { id: dst.subnetId!, vpc_id: dst.vpcId! });
  const back = longestMatch(table.routes, src.cidr.network);
  const gw = await attachedGateway(db, dst.vpcId!);
  if (!gw || !back || back.target !== 'gateway' || back.gateway_id !== gw)
    return `subnet ${dst.subnetId} is not reachable from ${src.cidr.text}: its route table ${table.id} sends no route for it to an internet gateway (the subnet is private).`;
  return {
    hop: 'route',
    route_table_id: table.id,
    destination_cidr_block: back.destination_cidr_block,
    target: gw,
    detail: `enters ${dst.vpcId} through internet gateway ${gw}; ${table.id} routes ${back.destination_cidr_block} to it`,
  };
}
