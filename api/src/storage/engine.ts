// One object store per platform (per Deps): the file store under the object dir, the KMS key store for data keys,
// and the sweep that removes files no row names (a crash between a file's rename and its row's commit).
import type { Deps } from '../platform/deps.js';
import { storeOf } from '../security/keys.js';
import { FileStore } from './objects/file-store.js';
import { ObjectStore } from './objects/object-store.js';
import { Tiering } from './tiering/tiering.js';

/** Files younger than this are never swept: their upload may still be about to commit its row. */
export const ORPHAN_AGE_MS = 60 * 60 * 1000;

const engines = new WeakMap<Deps['config'], ObjectStore>();

export function objectStoreOf(deps: Deps): ObjectStore {
  let engine = engines.get(deps.config);
  if (!engine) {
    const files = new FileStore(deps.config.storage.objectDir);
    engine = new ObjectStore(deps.db, files, storeOf(deps), deps.clock, deps.config.region, deps.log);
    engine.tiering = new Tiering(deps.db, files, deps.log, deps.clock, deps.config.storage.tierMoveStaleMs);
    engines.set(deps.config, engine);
  }
  return engine;
}

/** The tiering half of the platform's object store (the mover, intelligent reads). */
export const tieringOf = (deps: Deps) => objectStoreOf(deps).tiering as Tiering;

/** The files among `files` that some version, part, restored copy or tier move in flight names. */
export async function referencedFiles(deps: Pick<Deps, 'db'>, files: string[]): Promise<Set<string>> {
  if (!files.length) return new Set();
  const { rows } = await deps.db.raw(
    `select f from unnest(?::text[]) f
      where exists (select 1 from objects where segments @> jsonb_build_array(jsonb_build_object('file', f)))
         or exists (select 1 from multipart_parts where segment->>'file' = f)
         or exists (select 1 from objects where restore_segments is not null
                       and restore_segments @> jsonb_build_array(jsonb_build_object('file', f)))
         or exists (select 1 from tier_moves where to_segments @> jsonb_build_array(jsonb_build_object('file', f))
                                             or from_segments @> jsonb_build_array(jsonb_build_object('file', f)))`,
    [files],
  );
  return new Set(rows.map((r: { f: string }) => r.f));
}
