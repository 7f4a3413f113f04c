// Network: a VPC and subnets carved from its CIDR at synth time, spread over the region's zones.
import { subnet, vpc } from '../lib/index.js';
import { carve, formatCidr, largestFit, parseCidr } from './cidr.js';
import { Construct, Token, type TerraformProvider } from './cdktf.js';

/** The VPC prefix lengths the API accepts; a subnet's prefix lies between its VPC's and the longest. */
export const VPC_PREFIX = { min: 16, max: 28 } as const;

/** What a {@link Network} is made of. */
export interface NetworkProps {
  /** The VPC's name; subnet `i` (from 1) is named `<name>-<i>`. */
  readonly name: string;
  /** The VPC's CIDR block, /16 to /28, as a literal (the subnets are computed from it at synth time). */
  readonly cidrBlock: string;
  /** How many subnets to carve out of the VPC; at least 1. */
  readonly subnetCount: number;
  /** Every subnet's prefix length, from the VPC's to /28. Default: the largest subnets that fit `subnetCount`. */
  readonly subnetPrefix?: number;
  /** The region whose zones (`<region>a`, `b`, `c`) the subnets are spread over, in turn. Default `us-east-1`. */
  readonly region?: string;
  /** Zones to spread over instead of the region's three, in this order. */
  readonly zones?: readonly string[];
  /** The provider instance to use, when the stack has several. */
  readonly provider?: TerraformProvider;
}

/** The layout a {@link Network} deploys: the VPC's block and each subnet's block and zone, in address order. */
export interface NetworkLayout {
  readonly cidrBlock: string;
  readonly subnets: ReadonlyArray<{ readonly cidrBlock: string; readonly zone: string }>;
}

/**
 * Computes a {@link Network}'s layout, or throws a message naming the numbers when it is impossible
 * (`10.0.0.0/24 cannot hold 8 subnets of /26: it has room for 4`).
 */
export function networkLayout(props: NetworkProps): NetworkLayout {
  if (Token.isUnresolved(props.cidrBlock))
    throw new Error('cidrBlock must be a literal CIDR: the subnets are computed from it at synth time');
  const outer = parseCidr(props.cidrBlock);
  if (outer.prefix < VPC_PREFIX.min || outer.prefix > VPC_PREFIX.max) {
    throw new Error(`cidrBlock ${props.cidrBlock} must have a prefix from /${VPC_PREFIX.min} to /${VPC_PREFIX.max}`);
  }
  if (!Number.isInteger(props.subnetCount) || props.subnetCount < 1) {
    throw new Error(`subnetCount must be a whole number from 1, not ${props.subnetCount}`);
  }
  // Without a prefix, the largest subnets that fit; never beyond /28, so "too many" reads as a capacity error.
  const prefix = props.subnetPrefix ?? Math.min(largestFit(outer.prefix, props.subnetCount), VPC_PREFIX.max);
  if (!Number.isInteger(prefix) || prefix < outer.prefix || prefix > VPC_PREFIX.max) {
    throw new Error(`subnetPrefix must be from /${outer.prefix} (the VPC's) to /${VPC_PREFIX.max}, not /${prefix}`);
  }
  const zones = props.zones ?? ['a', 'b', 'c'].map((z) => `${props.region ?? 'us-east-1'}${z}`);
  if (zones.length === 0) throw new Error('zones may not be empty');
  const subnets = carve(outer, props.subnetCount, prefix).map((c, i) => ({
    cidrBlock: formatCidr(c),
    zone: zones[i % zones.length]!,
  }));
  return { cidrBlock: formatCidr(outer), subnets };
}

/**
 * A VPC and `subnetCount` equal subnets laid out from the start of its CIDR block, assigned to zones round-robin.
 * Every mistake in the layout (a malformed CIDR, subnets that do not fit) is an error while the app is synthesized,
 * naming this construct's path, never a failed apply.
 */
export class Network extends Construct {
  /** The VPC resource. */
  readonly vpc: vpc.Vpc;
  /** The subnet resources, in address order. */
  readonly subnets: subnet.Subnet[];
  /** The layout computed at synth time: each subnet's CIDR block and zone, in the order of {@link Network.subnets}. */
  readonly layout: NetworkLayout;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    try {
      this.layout = networkLayout(props);
    } catch (e) {
      throw new Error(`Network "${this.node.path}": ${(e as Error).message}`);
    }
    this.vpc = new vpc.Vpc(this, 'vpc', {
      name: props.name,
      cidrBlock: this.layout.cidrBlock,
      provider: props.provider,
    });
    this.subnets = this.layout.subnets.map(
      (s, i) =>
        new subnet.Subnet(this, `subnet-${i + 1}`, {
          name: `${props.name}-${i + 1}`,
          vpcId: this.vpc.id,
          cidrBlock: s.cidrBlock,
          availabilityZone: s.zone,
          provider: props.provider,
        }),
    );
  }

  /** The VPC's id (known after apply). */
  get vpcId(): string {
    return this.vpc.id;
  }

  /** The subnets' ids (known after apply), in address order. */
  get subnetIds(): string[] {
    return this.subnets.map((s) => s.id);
  }
}
