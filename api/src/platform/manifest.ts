// A kind's manifest: all the platform needs to serve one resource kind (its handlers, its background work, its
// crash recovery, what a fresh installation holds), so a new kind is one object listed in its service's index.
import type { Knex } from 'knex';
import {
  registry,
  type Kind,
  type KindOperationIds,
  type OperationId,
  type ServiceOperationIds,
  type AreaOperationIds,
} from '../generated/registry.js';
import type { Config } from './config.js';
import type { Deps, Workers } from './deps.js';
import type { Handler, CreateHandler, HandlersOf } from './operations/context.js';
import type { Principal } from './operations/principals.js';

/** A resource caught mid-transition by a crash: its job is sent again at start (workers are idempotent). */
export interface Unfinished {
  queue: string;
  id: string;
}

export interface ManifestParts<Ops extends OperationId> {
  /** a handler for each of the kind's operations (tsc refuses a missing or misspelt one) */
  handlers(deps: Deps): HandlersOf<Ops>;
  /** the kind's job queues and their handlers; every asynchronous kind (`x-resource.async`) has them */
  workers?(deps: Deps): Workers;
  /** the kind's resources still in a transitional status; every asynchronous kind has this */
  recover?(db: Knex): Promise<Unfinished[]>;
  /** runs at every start, after the migrations and before serving: what a fresh installation holds (idempotent) */
  seed?(deps: { db: Knex; config: Config }): Promise<void>;
  /**
   * For a kind whose resources a path may also name otherwise than by id (a key by its alias, `alias/...`): the id
   * that `{id}` names for the principal, or a 404. The pipeline resolves it on the kind's own item paths before
   * authorizing, so IAM, the audit record and the handler all see the resource's own id.
   */
  resolveId?: IdResolver;
  /**
   * A data plane (a load balancer's listeners): started where workers run, once they do, and stopped before the
   * platform closes its database.
   */
  serve?(deps: Deps): Promise<{ stop(): Promise<void> }>;
  /** Work every process does for itself whatever its role (writing the figures only it has seen); stopped like serve. */
  observe?(deps: Deps): { stop(): Promise<void> };
}

export type IdResolver = (db: Knex, principal: Principal, id: string) => Promise<string>;

export interface Manifest extends Omit<ManifestParts<never>, 'handlers'> {
  /** what boot errors call it */
  name: string;
  kind: Kind | null;
  handlers(deps: Deps): Partial<Record<OperationId, Handler | CreateHandler>>;
}

/** The manifest of kind `K`: its handlers must be exactly the operations the contract gives the kind. */
export function defineKind<K extends Kind>(kind: K, parts: ManifestParts<KindOperationIds[K]>): Manifest {
  return { ...parts, name: kind, kind, handlers: parts.handlers as unknown as Manifest['handlers'] };
}

type OperationGroups = ServiceOperationIds & AreaOperationIds;

/**
 * A service's operations on no kind (probes, reports): exactly the ones the contract gives the service, or one family
 * of them (`monitoring/logs`: the path's segment after the service) when a service has several.
 */
export function defineOperations<S extends keyof OperationGroups>(
  service: S,
  parts: ManifestParts<OperationGroups[S]>,
): Manifest {
  return {
    ...parts,
    name: `${service} (operations on no kind)`,
    kind: null,
    handlers: parts.handlers as unknown as Manifest['handlers'],
  };
}

export interface Service {
  name: string;
  manifests: Manifest[];
}

export const defineService = (name: string, manifests: Manifest[]): Service => ({ name, manifests });

/**
 * Refuses to boot a platform whose manifests would leave a kind unserved: every kind of the contract has one
 * manifest, and an asynchronous kind has workers and a recovery (without them its resources would stay in their
 * transitional status after a crash, silently).
 */
export function checkManifests(services: Service[]): Manifest[] {
  const manifests = services.flatMap((s) => s.manifests);
  const problems: string[] = [];
  for (const meta of Object.values(registry)) {
    const mine = manifests.filter((m) => m.kind === meta.kind);
    if (mine.length !== 1) problems.push(`kind ${meta.kind} has ${mine.length} manifests (one is needed)`);
    const m = mine[0];
    if (m && meta.async && !m.workers)
      problems.push(`kind ${meta.kind} is asynchronous but its manifest has no workers`);
    if (m && meta.async && !m.recover)
      problems.push(`kind ${meta.kind} is asynchronous but its manifest has no recover`);
  }
  if (problems.length) throw new Error(`The services' manifests do not fit the contract:\n  ${problems.join('\n  ')}`);
  return manifests;
}

/** The handlers of kind `K`, for a kind file that builds them in a function of its own. */
export type KindHandlers<K extends Kind> = HandlersOf<KindOperationIds[K]>;

/** The manifests' handlers (or workers) as one map; an operation (or queue) claimed by two manifests is refused. */
export function merged<T>(
  manifests: Manifest[],
  part: (m: Manifest) => Record<string, T> | undefined,
  what: string,
): Record<string, T> {
  const out: Record<string, T> = {};
  const owner = new Map<string, string>();
  for (const m of manifests) {
    for (const [key, value] of Object.entries(part(m) ?? {})) {
      if (owner.has(key))
        throw new Error(`${what} ${key} is claimed by the manifests of ${owner.get(key)} and ${m.name}`);
      owner.set(key, m.name);
      out[key] = value;
    }
  }
  return out;
}
