// The ends of a reachability question, resolved from what the caller names: an id (by its prefix) or an address.
//
// Another kind becomes an endpoint by adding its id prefix to `resolvers`, answering the endpoints it stands for:
// a load balancer (`lb-...`) answers one per subnet it has, with its security groups and the subnet's range (its
// node there takes no address of its own here); the analysis only ever sees endpoints.
import type { Knex } from 'knex';
import type { Principal } from '../../platform/operations/principals.js';
import { problems } from '../../platform/problems.js';
import { ipToInt, parseCidr, type Cidr } from '../cidr.js';
import { instances } from '../../compute/instances.js';
import { loadBalancers } from '../load-balancers.js';

export interface Endpoint {
  /** what the caller named: `instance`, `cidr` (an address is a /32), or an added kind */
  kind: string;
  id: string;
  /** the addresses it sends from or listens on (an instance's private IP as a /32) */
  cidr: Cidr;
  /** its security groups; none for an address outside the platform */
  groups: string[];
  subnetId: string | null;
  vpcId: string | null;
}

type Db = Knex | Knex.Transaction;
export type EndpointResolver = (db: Db, principal: Principal, id: string, field: string) => Promise<Endpoint[]>;

async function instanceEndpoint(db: Db, principal: Principal, id: string, field: string): Promise<Endpoint[]> {
  const row = await instances.get(db, principal, id).catch(() => {
    throw problems.referenceNotFound(field, id);
  });
  if (!row.subnet_id || !row.private_ip)
    throw problems.invalidField(field, `instance ${id} is in no subnet, so no network reaches it`, 'NotInSubnet');
  const subnet = await db('subnets').where({ id: row.subnet_id }).first('vpc_id');
  return [
    {
      kind: 'instance',
      id,
      cidr: parseCidr(`${row.private_ip}/32`) as Cidr,
      groups: row.security_group_ids,
      subnetId: row.subnet_id,
      vpcId: subnet.vpc_id,
    },
  ];
}

async function loadBalancerEndpoints(db: Db, principal: Principal, id: string, field: string): Promise<Endpoint[]> {
  const lb = await loadBalancers.get(db, principal, id).catch(() => {
    throw problems.referenceNotFound(field, id);
  });
  const subnets = await db('subnets').whereIn('id', lb.subnets).select('id', 'vpc_id', 'cidr_block');
  return subnets.map((s: { id: string; vpc_id: string; cidr_block: string }) => ({
    kind: 'load_balancer',
    id,
    cidr: parseCidr(s.cidr_block) as Cidr,
    groups: lb.security_group_ids ?? [],
    subnetId: s.id,
    vpcId: s.vpc_id,
  }));
}

/** Resolvers by id prefix (the part before the first `-`). */
export const resolvers: Record<string, EndpointResolver> = { inst: instanceEndpoint, lb: loadBalancerEndpoints };

/** The endpoints `value` names; `field` is the request's field, for the pointer of a 422. */
export async function resolveEndpoint(db: Db, principal: Principal, value: string, field: string): Promise<Endpoint[]> {
  const resolver = resolvers[value.split('-')[0]!];
  if (resolver && value.includes('-')) return resolver(db, principal, value, field);
  const text = value.includes('/') ? value : `${value}/32`;
  const cidr = ipToInt(value.split('/')[0]!) === undefined ? undefined : parseCidr(text);
  if (!cidr || typeof cidr === 'string')
    throw problems.invalidField(
      field,
      `must be an endpoint id (${Object.keys(resolvers).join('-, ')}-...), an IPv4 address or a CIDR`,
      'InvalidEndpoint',
    );
  return [{ kind: 'cidr', id: cidr.text, cidr, groups: [], subnetId: null, vpcId: null }];
}
