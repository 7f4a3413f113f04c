// ComputeFleet: N identical instances spread round-robin over a Network's subnets.
import { instance } from '../lib/index.js';
import { Construct, type TerraformProvider } from './cdktf.js';
import type { Network } from './network.js';

/** What a {@link ComputeFleet} is made of. */
export interface ComputeFleetProps {
  /** Instance `i` (from 1) is named `<name>-<i>`. */
  readonly name: string;
  /** How many instances; 0 or more. */
  readonly size: number;
  /** The network whose subnets the instances are spread over, in turn (instance 1 in subnet 1, ...). */
  readonly network: Network;
  /** The flavor id (`flv-...`), e.g. from the `atonix_flavor` data source. */
  readonly flavorId: string;
  /** The image id (`img-...`), e.g. from the `atonix_image` data source. */
  readonly imageId: string;
  /** `running` (the default) or `stopped`. */
  readonly powerState?: 'running' | 'stopped';
  /** Metadata set on every instance. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** How long Terraform waits for each instance (e.g. `{ create: "10m" }`). */
  readonly timeouts?: instance.InstanceTimeouts;
  /** The provider instance to use, when the stack has several. */
  readonly provider?: TerraformProvider;
}

/** `size` instances of one flavor and image, placed round-robin over a {@link Network}'s subnets. */
export class ComputeFleet extends Construct {
  /** The instance resources, in order. */
  readonly instances: instance.Instance[];

  constructor(scope: Construct, id: string, props: ComputeFleetProps) {
    super(scope, id);
    if (!Number.isInteger(props.size) || props.size < 0) {
      throw new Error(`ComputeFleet "${this.node.path}": size must be a whole number from 0, not ${props.size}`);
    }
    const subnets = props.network.subnets;
    this.instances = Array.from(
      { length: props.size },
      (_, i) =>
        new instance.Instance(this, `instance-${i + 1}`, {
          name: `${props.name}-${i + 1}`,
          flavorId: props.flavorId,
          imageId: props.imageId,
          subnetId: subnets[i % subnets.length]!.id,
          powerState: props.powerState,
          metadata: props.metadata ? { ...props.metadata } : undefined,
          timeouts: props.timeouts,
          provider: props.provider,
        }),
    );
  }

  /** The instances' ids (known after apply), in order. */
  get ids(): string[] {
    return this.instances.map((i) => i.id);
  }

  /** The instances' private IPs (known after apply; handed out by their subnets), in order. */
  get privateIps(): string[] {
    return this.instances.map((i) => i.privateIp);
  }
}
