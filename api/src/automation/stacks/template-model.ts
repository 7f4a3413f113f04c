// The one shape both template formats are parsed into; the engine, validation and preview work on it alone.
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type ParamType = 'String' | 'Number' | 'CommaDelimitedList' | 'Boolean';
export interface ParamSpec {
  type: ParamType;
  default?: Json;
  allowed?: Json[];
  description?: string;
  pointer: string;
}

export interface ResourceSpec {
  logicalId: string;
  /** as written: Atonix::Networking::Vpc, atonix_vpc, or data.atonix_flavor */
  type: string;
  /** the registry kind it maps to (undefined when the type is unknown) */
  kind?: string;
  /** a data lookup (Terraform `data` blocks): read, never created */
  lookup: boolean;
  /** property values, possibly holding intrinsic functions */
  properties: Record<string, Json>;
  dependsOn: string[];
  condition?: string;
  /** JSON pointer of the resource in the request, for errors */
  pointer: string;
  propertiesPointer: string;
}

export interface Model {
  format: 'native' | 'terraform';
  parameters: Record<string, ParamSpec>;
  conditions: Record<string, Json>;
  resources: Record<string, ResourceSpec>;
  outputs: Record<string, { value: Json; condition?: string; pointer: string }>;
}
