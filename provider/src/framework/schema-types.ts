// The shape of the generated provider schema (provider/src/generated/schema.ts), built by scripts/lib/provider-schema.ts.
/** cty type in Terraform's JSON form: "string", "number", "bool", ["map","string"], ["list","number"]. */
export type CtyType = string | [string, CtyType] | ['object', Record<string, CtyType>];

export interface TfAttribute {
  name: string;
  type: CtyType;
  description: string;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  /** a change plans a replacement (x-immutable) */
  forceNew: boolean;
  /** the API's default, which the plan shows for an unset optional+computed attribute */
  default?: unknown;
  /** JSON text in Terraform, an object in the API (a policy document): compared by meaning, not by spelling */
  json?: boolean;
  /** a JSON attribute whose document is a list (a dashboard's panels) rather than an object */
  jsonList?: boolean;
  /** the values the API accepts (the spec's enum), checked at plan time */
  enum?: unknown[];
  /** the API takes null for it (a nested field that may be sent as null rather than left out) */
  nullable?: boolean;
  /**
   * Nested attributes, to any depth: an array of objects in the API is a `set` (a security group's rules, order not
   * significant) or a `list` (behaviours tried in order); an object of a fixed shape is `single`.
   */
  nested?: { nesting: 'set' | 'list' | 'single'; attributes: TfAttribute[] };
}

export interface TfResource {
  typeName: string;
  kind: string;
  description: string;
  attributes: TfAttribute[];
  api: {
    create: string;
    item: string;
    list?: string;
    parent?: { param: string; field: string };
    async: boolean;
    statusField?: string;
    readyStatus: string[];
    failedStatus: string[];
    updatable: boolean;
    /** false for a kind the API never deletes (a CDN invalidation): destroy only removes it from the state */
    deletable?: boolean;
  };
}

export interface TfDataSource {
  typeName: string;
  kind: string;
  description: string;
  lookup: string[];
  attributes: TfAttribute[];
  api: { list: string; item: string };
}

export interface ProviderSchema {
  resources: TfResource[];
  dataSources: TfDataSource[];
}
