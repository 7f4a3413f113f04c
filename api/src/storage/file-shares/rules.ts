// The rules of a file share that no schema can say: export rules (valid CIDRs, unique priorities, root squash for NFS
// only), size changes (grow only) and what a client would type to mount it. The data path is emulated, so these
// checks are all that stands for an NFS or SMB server's own.
import { problems } from '../../platform/problems.js';
import type { Schemas } from '../../platform/resources/repo.js';
import { parseCidr } from '../../networking/cidr.js';

type Protocol = Schemas['FileShare']['protocol'];
type ExportRule = Schemas['ExportRule'];

export const PROTOCOL_VERSION: Record<NonNullable<Protocol>, string> = { NFS: '4.1', SMB: '3.0' };

/**
 * The rules as stored: each CIDR a network address, no priority twice, `root_squash` only on NFS (null when left
 * out, so every rule has every field), in ascending priority: the order a server evaluates them, first match wins.
 * Field errors point at `export_rules/<i>/<field>`.
 */
export function checkExportRules(protocol: Protocol, rules: ExportRule[]): ExportRule[] {
  const seen = new Map<number, number>();
  rules.forEach((r, i) => {
    const cidr = parseCidr(r.client_cidr);
    if (typeof cidr === 'string') throw problems.invalidField(`export_rules/${i}/client_cidr`, cidr, 'InvalidCidr');
    if (protocol === 'SMB' && r.root_squash !== undefined && r.root_squash !== null)
      throw problems.invalidField(
        `export_rules/${i}/root_squash`,
        'applies to NFS shares only; leave it out for an SMB share',
        'NotForProtocol',
      );
    const other = seen.get(r.priority);
    if (other !== undefined)
      throw problems.invalidField(
        `export_rules/${i}/priority`,
        `repeats priority ${r.priority} of export_rules/${other}; each rule needs its own`,
        'DuplicatePriority',
      );
    seen.set(r.priority, i);
  });
  return rules
    .map((r) => ({
      priority: r.priority,
      client_cidr: r.client_cidr,
      access: r.access,
      root_squash: r.root_squash ?? null,
    }))
    .sort((a, b) => a.priority - b.priority);
}

/** A share grows; shrinking could lose data a real server holds, so it is refused (as Manila and EFS do). */
export function checkResize(current: number, next: number): void {
  if (next < current)
    throw problems.invalidField(
      'size_gb',
      `may only grow: the share has ${current} GiB and cannot shrink to ${next}`,
      'ShrinkNotAllowed',
    );
}

/**
 * The command a Linux client in the VPC pastes to mount the share through a mount target at `ip`. The share is
 * exported under its id, which never changes, so the command stays right when the share is renamed.
 */
export function mountCommand(protocol: Protocol, shareId: string, ip: string): string {
  if (protocol === 'SMB')
    return `sudo mount -t cifs //${ip}/${shareId} /mnt/${shareId} -o vers=3.0,username=$USER,uid=$(id -u),gid=$(id -g)`;
  return `sudo mount -t nfs4 -o nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2 ${ip}:/ /mnt/${shareId}`;
}

/** The share's name in the platform's internal naming; no DNS server publishes it (the data path is emulated). */
export const dnsName = (id: string, region: string) => `${id}.fs.${region}.atonix.internal`;
