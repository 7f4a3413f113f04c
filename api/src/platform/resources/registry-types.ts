// The shape of the generated resource registry (api/src/generated/registry.ts).
export type PropType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';

export interface PropMeta {
  type: PropType;
  nullable: boolean;
  required: boolean;
  readOnly: boolean;
  writeOnly: boolean;
  immutable: boolean;
  default?: unknown;
  /** the server picks a value when none is sent (x-server-default): optional and computed */
  serverDefault: boolean;
  /** a secret shown once (x-secret): a response that carries it is never cached */
  secret: boolean;
  /** false hides the property from the Terraform provider (x-terraform: false) */
  terraform: boolean;
  /** Terraform holds this object as JSON text (x-terraform: json), compared by meaning, not by spelling */
  json?: boolean;
  enum?: unknown[];
  /** element type for arrays, value type for maps (objects with additionalProperties) */
  elementType?: PropType;
  /** the fields of an array's objects (a security group's `ingress` rules): Terraform sees a nested set or list */
  items?: Record<string, PropMeta>;
  /** the fields of an object with a fixed shape (a distribution's `default_cache_behavior`): a single nested object */
  fields?: Record<string, PropMeta>;
  /** the array's items are unique (uniqueItems): Terraform holds a set */
  uniqueItems?: boolean;
  /** Terraform holds the array of objects as a nested list, its order kept (x-terraform: list), not a set */
  list?: boolean;
  description?: string;
}

export interface ResourceMeta {
  kind: string;
  schema: string;
  description: string;
  service: string;
  collection: string;
  idPrefix: string;
  /** the table that holds the kind's rows (x-resource.table, else the collection's name) */
  table: string;
  async: boolean;
  statusField?: string;
  readyStatus: string[];
  failedStatus: string[];
  publicRead: boolean;
  /** a kind everyone reads that admins still manage as code (x-resource.terraform_resource): a policy */
  terraformResource: boolean;
  terraform?: string;
  dataSourceLookup: string[];
  properties: Record<string, PropMeta>;
  paths: {
    /** POST target; may hold `{param}` filled from `parent.field` */
    create?: string;
    list?: string;
    item?: string;
    parent?: { param: string; field: string };
  };
  operations: { create?: string; list?: string; get?: string; update?: string; delete?: string };
}
