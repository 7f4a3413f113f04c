// Provider docs in the Terraform registry layout (docs/index.md, docs/resources/*.md, docs/data-sources/*.md),
// from the generated schema, the hand-written types' schemas and the examples under examples/terraform/.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CtyType, ProviderSchema, TfAttribute } from '../../provider/src/framework/schema-types.js';
import type { Attribute, Block, CtyType as WireType } from '../../provider/src/runtime/index.js';
import { HAND_WRITTEN, type HandWrittenSchemas } from './cdktf-schema.js';

const typeText = (t: CtyType): string =>
  typeof t === 'string' ? t : t[0] === 'object' ? 'object' : `${t[0]}(${typeText(t[1] as CtyType)})`;

function example(root: string, rel: string): string | undefined {
  const file = join(root, 'examples/terraform', rel);
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd() : undefined;
}

function attributeList(attrs: TfAttribute[]): string {
  // Nested attributes to any depth, each level indented under its parent, with what the user must or may set.
  const nestedText = { set: 'Set of objects', list: 'List of objects', single: 'Object' } as const;
  const flags = (a: TfAttribute) => (a.required ? ', Required' : a.optional ? ', Optional' : ', Read-Only');
  const line = (a: TfAttribute, inner = false): string =>
    `- \`${a.name}\` (${a.nested ? nestedText[a.nested.nesting] : typeText(a.type)}${inner ? flags(a) : ''}${a.sensitive ? ', Sensitive' : ''}) ${a.description}` +
    (a.nested ? `\n${a.nested.attributes.map((n) => line(n, true).replace(/^/gm, '  ')).join('\n')}` : '');
  const groups: [string, TfAttribute[]][] = [
    ['Required', attrs.filter((a) => a.required)],
    ['Optional', attrs.filter((a) => a.optional)],
    ['Read-Only', attrs.filter((a) => a.computed && !a.optional && !a.required)],
  ];
  return groups
    .filter(([, list]) => list.length)
    .map(([title, list]) => `### ${title}\n\n${list.map((a) => line(a)).join('\n')}`)
    .join('\n\n');
}

function page(
  note: string,
  kind: 'Resource' | 'Data Source',
  name: string,
  description: string,
  body: string[],
): string {
  return (
    [
      '---',
      `page_title: "${name} ${kind} - atonix"`,
      'subcategory: ""',
      'description: |-',
      `  ${description}`,
      '---',
      note,
      `# ${name} (${kind})`,
      '',
      description,
      '',
      ...body,
    ].join('\n') + '\n'
  );
}

const hcl = (code: string) => ['```terraform', code, '```', ''];

const wireTypeText = (t: WireType): string =>
  typeof t === 'string'
    ? t
    : t[0] === 'list' || t[0] === 'set' || t[0] === 'map'
      ? `${t[0]}(${wireTypeText(t[1])})`
      : t[0];

/**
 * A schema block as the registry shows one (tfplugindocs' layout): its attributes and nested blocks grouped into
 * Required, Optional and Read-Only, then a "Nested Schema" section for each nested block, recursively.
 */
function blockSchema(block: Block): string[] {
  const sections: string[] = [];
  const render = (b: Block, path: string[]) => {
    const anchor = (names: string[]) => `nestedblock--${names.join('--')}`;
    const entries: { name: string; flags: Attribute; line: string }[] = [];
    for (const [name, a] of Object.entries(b.attributes ?? {}))
      entries.push({
        name,
        flags: a,
        line: `- \`${name}\` (${a.type ? wireTypeText(a.type) : 'object'}${a.sensitive ? ', Sensitive' : ''}) ${a.description ?? ''}`,
      });
    for (const [name, n] of Object.entries(b.blocks ?? {})) {
      const nesting = n.nesting[0]!.toUpperCase() + n.nesting.slice(1);
      entries.push({
        name,
        flags: { optional: !n.minItems },
        line:
          `- \`${name}\` (Block ${nesting}${n.maxItems ? `, Max: ${n.maxItems}` : ''}) ${n.block.description ?? ''}` +
          ` (see [below for nested schema](#${anchor([...path, name])}))`,
      });
    }
    entries.sort((x, y) => (x.name < y.name ? -1 : 1));
    const groups: [string, typeof entries][] = [
      ['Required', entries.filter((e) => e.flags.required)],
      ['Optional', entries.filter((e) => e.flags.optional)],
      ['Read-Only', entries.filter((e) => e.flags.computed && !e.flags.optional && !e.flags.required)],
    ];
    const top = path.length === 0;
    if (!top) sections.push(`<a id="${anchor(path)}"></a>`, `### Nested Schema for \`${path.join('.')}\``, '');
    for (const [title, list] of groups.filter(([, l]) => l.length))
      sections.push(top ? `### ${title}` : `${title}:`, '', ...list.map((e) => e.line), '');
    for (const [name, n] of Object.entries(b.blocks ?? {}).sort(([x], [y]) => (x < y ? -1 : 1)))
      render(n.block, [...path, name]);
  };
  render(block, []);
  return sections;
}

export function providerDocs(
  schema: ProviderSchema,
  root: string,
  header: string,
  handWritten: HandWrittenSchemas = HAND_WRITTEN,
): { path: string; content: string }[] {
  const { resources, dataSources } = handWritten;
  const resourceNames = [...schema.resources.map((r) => r.typeName), ...Object.keys(resources)].sort();
  const dataSourceNames = [...schema.dataSources.map((d) => d.typeName), ...Object.keys(dataSources)].sort();
  // After the front matter: the registry reads the front matter only as the file's first lines.
  const note = `<!-- ${header.replace(/^\/\/ /, '').trim()} -->\n`;
  const out: { path: string; content: string }[] = [];
  const provider = example(root, 'provider/provider.tf');
  out.push({
    path: 'docs/index.md',
    content: [
      '---',
      'page_title: "atonix Provider"',
      'description: |-',
      '  Manage AtonixCorp platform resources.',
      '---',
      note,
      '# atonix Provider',
      '',
      'Manages resources of a self-hosted AtonixCorp control plane through its REST API.',
      '',
      '## Example Usage',
      '',
      ...(provider ? hcl(provider) : []),
      '## Schema',
      '',
      '### Optional',
      '',
      '- `endpoint` (string) The API URL, e.g. `http://127.0.0.1:8000`. Defaults to `ATONIX_ENDPOINT`.',
      '- `token` (string, Sensitive) A bearer token. Defaults to `ATONIX_TOKEN`.',
      '',
      '## A resident provider',
      '',
      'Terraform starts a provider 3 to 4 times per command. For many commands in a row, start one provider process with',
      "`terraform-provider-atonix --attach`: it prints `export TF_REATTACH_PROVIDERS='...'`, and every terraform command",
      "run with that variable uses the running process instead of launching one. Each command's connection is its own",
      'provider instance, configured by its own `provider` block; defaults such as `ATONIX_ENDPOINT` come from the',
      'environment of the attached process. Ctrl-C (or SIGTERM) stops it once no terraform command is connected; a second',
      'one stops it at once. Unset `TF_REATTACH_PROVIDERS` afterwards: terraform kills the process a stale value names.',
      '',
      '## Resources',
      '',
      ...resourceNames.map((r) => `- [${r}](resources/${r.replace(/^atonix_/, '')}.md)`),
      '',
      '## Data Sources',
      '',
      ...dataSourceNames.map((d) => `- [${d}](data-sources/${d.replace(/^atonix_/, '')}.md)`),
      '',
    ].join('\n'),
  });
  for (const r of schema.resources) {
    const usage = example(root, `resources/${r.typeName}/resource.tf`);
    const imp = example(root, `resources/${r.typeName}/import.sh`);
    const body = [
      ...(usage ? ['## Example Usage', '', ...hcl(usage)] : []),
      '## Schema',
      '',
      attributeList(r.attributes),
      '',
      '### Nested Schema for `timeouts`',
      '',
      'Optional:',
      '',
      '- `create` (string) How long to wait for the resource to become ready, e.g. "30m". Default 20m.',
      '- `update` (string) How long to wait for an update to settle. Default 20m.',
      '- `delete` (string) How long to wait for the resource to go away. Default 20m.',
      '',
      ...(r.api.async
        ? [
            `Creating waits until \`${r.api.statusField}\` is ${r.api.readyStatus.map((s) => `\`${s}\``).join(' or ')}` +
              (r.api.failedStatus.length
                ? `; ${r.api.failedStatus.map((s) => `\`${s}\``).join(' or ')} fails the apply with the reason.`
                : '.'),
            '',
          ]
        : []),
      ...(imp
        ? ['## Import', '', 'Import is supported using the following syntax:', '', '```shell', imp, '```', '']
        : []),
    ];
    out.push({
      path: `docs/resources/${r.typeName.replace(/^atonix_/, '')}.md`,
      content: page(note, 'Resource', r.typeName, r.description, body),
    });
  }
  for (const d of schema.dataSources) {
    const usage = example(root, `data-sources/${d.typeName}/data-source.tf`);
    const body = [
      ...(usage ? ['## Example Usage', '', ...hcl(usage)] : []),
      `Look up by ${['id', ...d.lookup.filter((l) => l !== 'id')].map((l) => `\`${l}\``).join(' or ')}; exactly one must match.`,
      '',
      '## Schema',
      '',
      attributeList(d.attributes),
      '',
    ];
    out.push({
      path: `docs/data-sources/${d.typeName.replace(/^atonix_/, '')}.md`,
      content: page(note, 'Data Source', d.typeName, d.description, body),
    });
  }
  for (const [name, r] of Object.entries(resources)) {
    const usage = example(root, `resources/${name}/resource.tf`);
    const imp = example(root, `resources/${name}/import.sh`);
    const body = [
      ...(usage ? ['## Example Usage', '', ...hcl(usage)] : []),
      '## Schema',
      '',
      ...blockSchema(r.schema.block),
      ...(imp
        ? ['## Import', '', 'Import is supported using the following syntax:', '', '```shell', imp, '```', '']
        : []),
    ];
    out.push({
      path: `docs/resources/${name.replace(/^atonix_/, '')}.md`,
      content: page(note, 'Resource', name, r.schema.block.description ?? '', body).replace(/\n+$/, '\n'),
    });
  }
  for (const [name, d] of Object.entries(dataSources)) {
    const usage = example(root, `data-sources/${name}/data-source.tf`);
    const body = [
      ...(usage ? ['## Example Usage', '', ...hcl(usage)] : []),
      '## Schema',
      '',
      ...blockSchema(d.schema.block),
    ];
    out.push({
      path: `docs/data-sources/${name.replace(/^atonix_/, '')}.md`,
      content: page(note, 'Data Source', name, d.schema.block.description ?? '', body).replace(/\n+$/, '\n'),
    });
  }
  return out;
}
