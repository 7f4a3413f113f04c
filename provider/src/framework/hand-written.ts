// Types written by hand beside the generated ones (provider/src/resources/, provider/src/data-sources/). One that calls
// the API is built per provider instance with that instance's client (a resident provider serves several, each
// configured by its own terraform command); the generators (docs, CDKTF bindings) read only their schemas.
import type { Schema } from '../runtime/index.js';
import type { ApiClient } from './client.js';

/** A type that needs the API: its schema now, its implementation once a provider instance exists. */
export interface ApiBound<T extends { schema: Schema }> {
  schema: Schema;
  bind(client: () => ApiClient): T;
}

/** A hand-written type: complete by itself (it computes its answer), or bound to the API. */
export type HandWritten<T extends { schema: Schema }> = T | ApiBound<T>;

export function bindType<T extends { schema: Schema }>(type: HandWritten<T>, client: () => ApiClient): T {
  return 'bind' in type ? type.bind(client) : type;
}
