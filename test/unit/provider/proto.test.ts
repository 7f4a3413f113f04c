// The runtime's own .proto parser and protobuf codec, cross-checked against @grpc/proto-loader (protobufjs) on the same files.
import { expect } from 'chai';
import { parseProtoFiles, type ProtoTables } from '../../../provider/src/runtime/proto-parser.js';
import { readProtoSources } from '../../../provider/src/runtime/proto-tables.js';
import { ProtoCodec } from '../../../provider/src/runtime/protobuf-codec.js';
import { packageDefinition } from './harness/launch.js';

interface Field {
  name: string;
  number: number;
  label: string;
  type: string;
  typeName: string;
}
interface MethodDef {
  path: string;
  responseStream: boolean;
  requestType: { type: { name: string } };
  responseSerialize(value: object): Buffer;
  responseDeserialize(bytes: Buffer): object;
  requestSerialize(value: object): Buffer;
}

describe('provider runtime: protocol definitions', () => {
  const tables: ProtoTables = parseProtoFiles(readProtoSources());
  const codec = new ProtoCodec(tables);
  const method = (path: string): MethodDef => {
    const [service, name] = path.slice(1).split('/') as [string, string];
    return (packageDefinition[service] as unknown as Record<string, MethodDef>)[name]!;
  };

  it('parses every message, nested ones included, with the field numbers, labels and kinds protobufjs sees', () => {
    interface Descriptor {
      field: Field[];
      nestedType: (Descriptor & { name: string; options: { mapEntry?: boolean } | null })[];
    }
    const compared: string[] = [];
    const visit = (name: string, type: Descriptor): void => {
      const mapEntries = new Set(type.nestedType.filter((n) => n.options?.mapEntry).map((n) => n.name));
      const summary = (f: Field): string =>
        mapEntries.has(f.typeName)
          ? `${f.name}=${f.number} map`
          : `${f.name}=${f.number} ${f.label === 'LABEL_REPEATED' ? 'repeated ' : ''}${f.type === 'TYPE_MESSAGE' ? 'message' : f.type === 'TYPE_ENUM' ? 'enum' : f.type.slice(5).toLowerCase()}`;
      const ours = tables.messages[name];
      expect(ours, name).to.be.an('array');
      const mine = ours!.map((f) =>
        f.map
          ? `${f.name}=${f.no} map`
          : `${f.name}=${f.no} ${f.repeated ? 'repeated ' : ''}${f.kind === 'scalar' ? f.type : f.kind}`,
      );
      expect(mine, name).to.deep.equal(type.field.map(summary));
      compared.push(name);
      for (const nested of type.nestedType) if (!nested.options?.mapEntry) visit(`${name}.${nested.name}`, nested);
    };
    for (const [name, def] of Object.entries(packageDefinition)) {
      if ('format' in def && def.format === 'Protocol Buffer 3 DescriptorProto' && !compared.includes(name))
        visit(name, def.type as Descriptor);
    }
    expect([...new Set(compared)].sort()).to.deep.equal(Object.keys(tables.messages).sort());
  });

  it('maps every gRPC method path to the same request, response and streaming', () => {
    const paths = Object.entries(packageDefinition)
      .filter(([, def]) => !('format' in def))
      .flatMap(([, service]) => Object.values(service as unknown as Record<string, MethodDef>));
    expect(paths.map((m) => m.path).sort()).to.deep.equal(Object.keys(tables.methods).sort());
    for (const m of paths) {
      expect(tables.methods[m.path]!.serverStreaming, m.path).to.equal(m.responseStream);
      expect(tables.methods[m.path]!.input.endsWith(m.requestType.type.name), m.path).to.equal(true);
    }
  });

  it('encodes and decodes byte-compatibly with protobufjs, including maps, oneofs, enums and negative int64', () => {
    const schemaResponse = {
      provider: {
        version: 0,
        block: {
          attributes: [
            { name: 'endpoint', type: Buffer.from('"string"'), optional: true, description_kind: 'MARKDOWN' },
          ],
          block_types: [],
        },
      },
      resource_schemas: {
        x_thing: {
          version: 3,
          block: {
            attributes: [],
            block_types: [
              { type_name: 'rule', nesting: 'LIST', block: { attributes: [], block_types: [] }, max_items: 2 },
            ],
          },
        },
      },
      data_source_schemas: {},
      diagnostics: [
        {
          severity: 'WARNING',
          summary: 's',
          detail: 'd',
          attribute: { steps: [{ attribute_name: 'a' }, { element_key_int: -1 }, { element_key_string: 'k' }] },
        },
      ],
      server_capabilities: { plan_destroy: true, get_provider_schema_optional: true },
    };
    const m = method('/tfplugin6.Provider/GetProviderSchema');
    const ours = codec.encode('tfplugin6.GetProviderSchema.Response', schemaResponse);
    const viaThem = m.responseDeserialize(Buffer.from(ours)) as typeof schemaResponse;
    expect(viaThem.resource_schemas.x_thing!.version).to.equal(3);
    expect(viaThem.diagnostics[0]!.attribute.steps).to.deep.equal([
      { attribute_name: 'a', selector: 'attribute_name' },
      { element_key_int: -1, selector: 'element_key_int' },
      { element_key_string: 'k', selector: 'element_key_string' },
    ]);
    const back = codec.decode(
      'tfplugin6.GetProviderSchema.Response',
      m.responseSerialize(viaThem),
    ) as typeof schemaResponse;
    expect(back.diagnostics[0]).to.deep.include({ severity: 'WARNING', summary: 's', detail: 'd' });
    expect(back.diagnostics[0]!.attribute.steps[1]).to.deep.include({ element_key_int: -1 });
    expect(Buffer.from(back.provider.block.attributes[0]!.type).toString()).to.equal('"string"');
    expect(back.provider.block.attributes[0]).to.include({
      name: 'endpoint',
      optional: true,
      required: false,
      description_kind: 'MARKDOWN',
    });
    expect(back.resource_schemas.x_thing!.block.block_types[0]).to.include({
      type_name: 'rule',
      nesting: 'LIST',
      max_items: 2,
    });
    expect(back.server_capabilities).to.include({
      plan_destroy: true,
      get_provider_schema_optional: true,
      move_resource_state: false,
    });
  });

  it('decodes requests core sends, filling proto3 zero values and skipping fields it does not know', () => {
    const m = method('/tfplugin6.Provider/UpgradeResourceState');
    const bytes = m.requestSerialize({
      type_name: 't',
      version: 0,
      raw_state: { json: Buffer.from('{}'), flatmap: { a: '' } },
    });
    const unknownField = Buffer.from([0xfa, 0x01, 0x02, 0x68, 0x69]); // field 31, length-delimited "hi": a newer core's field
    const decoded = codec.decode('tfplugin6.UpgradeResourceState.Request', Buffer.concat([bytes, unknownField])) as {
      version: number;
      raw_state: { flatmap: object };
    };
    expect(decoded).to.include({ type_name: 't', version: 0 });
    expect(decoded.raw_state.flatmap).to.deep.equal({ a: '' });
    const empty = codec.decode('tfplugin6.ReadResource.Request', Buffer.alloc(0));
    expect(empty).to.deep.equal({
      type_name: '',
      current_state: undefined,
      private: new Uint8Array(0),
      provider_meta: undefined,
      client_capabilities: undefined,
    });
  });
});
