import { expect } from 'chai';
import { Problem } from '../../../api/src/platform/problems.js';
import { evaluate, PENDING, references, type EvalContext } from '../../../api/src/automation/stacks/expressions.js';
import { dependencies, findCycle, reversed, runGraph, topoOrder } from '../../../api/src/automation/stacks/graph.js';
import { diffProperties, readDocuments } from '../../../api/src/automation/stacks/diff.js';
import { mergePatchBetween } from '../../../api/src/platform/resources/repo.js';
import { buildModel, parameterValues, readTemplate } from '../../../api/src/automation/stacks/parse-template.js';
import type { Json } from '../../../api/src/automation/stacks/template-model.js';

const ctx = (
  params: Record<string, Json>,
  resources: Record<string, Record<string, Json>> = {},
  conditions: Record<string, boolean> = {},
  declared: string[] = [],
): EvalContext => ({
  param: (n) => params[n] ?? null,
  declared: (n) => n in resources || declared.includes(n),
  resource: (n) => resources[n],
  condition: (n) => conditions[n] ?? false,
});

describe('template functions', () => {
  const c = ctx(
    { Env: 'prod', Zones: ['a', 'b'] },
    { Net: { id: 'vpc-1', cidr_block: '10.0.0.0/16' } },
    { IsProd: true },
  );

  it('evaluates Ref, GetAtt (both spellings), Sub, Join, Select and If', () => {
    expect(evaluate({ Ref: 'Env' }, c)).to.equal('prod');
    expect(evaluate({ Ref: 'Net' }, c)).to.equal('vpc-1');
    expect(evaluate({ 'Fn::GetAtt': ['Net', 'cidr_block'] }, c)).to.equal('10.0.0.0/16');
    expect(evaluate({ GetAtt: 'Net.cidr_block' }, c)).to.equal('10.0.0.0/16');
    expect(evaluate({ 'Fn::Sub': '${Env}-${Net.cidr_block}' }, c)).to.equal('prod-10.0.0.0/16');
    expect(evaluate({ 'Fn::Sub': ['${X}!', { X: { Ref: 'Env' } }] }, c)).to.equal('prod!');
    expect(evaluate({ 'Fn::Join': ['-', ['a', { Ref: 'Env' }, 3]] }, c)).to.equal('a-prod-3');
    expect(evaluate({ 'Fn::Select': [1, { Ref: 'Zones' }] }, c)).to.equal('b');
    expect(evaluate({ 'Fn::If': ['IsProd', 'big', 'small'] }, c)).to.equal('big');
    expect(evaluate({ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, c)).to.equal(true);
    expect(evaluate({ 'Fn::And': [true, { 'Fn::Not': [false] }] }, c)).to.equal(true);
    expect(evaluate({ nested: [{ Ref: 'Env' }], plain: 1 }, c)).to.deep.equal({ nested: ['prod'], plain: 1 });
  });

  it('marks values that wait on a resource not made yet', () => {
    const pending = ctx({}, {}, {}, ['Later']);
    expect(evaluate({ Ref: 'Later' }, pending)).to.equal(PENDING);
    expect(evaluate({ 'Fn::Sub': 'x-${Later.id}' }, pending)).to.equal(`x-${PENDING}`);
  });

  it('refuses Select outside the list', () => {
    expect(() => evaluate({ 'Fn::Select': [5, ['a']] }, c)).to.throw(/outside the list of 1/);
  });

  it('finds references, telling parameters from resources', () => {
    const refs = references(
      { a: { Ref: 'P' }, b: { 'Fn::Sub': '${R.x}-${P}' }, c: { 'Fn::If': ['C', { Ref: 'R2' }, 1] } },
      [],
      (n) => n === 'P',
    );
    expect(refs).to.deep.include.members([
      { kind: 'param', name: 'P' },
      { kind: 'resource', name: 'R', attr: 'x' },
      { kind: 'condition', name: 'C' },
      { kind: 'resource', name: 'R2' },
    ]);
  });
});

describe('template graph', () => {
  const model = buildModel(
    {
      Resources: {
        Vpc: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'v', cidr_block: '10.0.0.0/16' } },
        A: {
          Type: 'Atonix::Networking::Subnet',
          Properties: { name: 'a', vpc_id: { Ref: 'Vpc' }, cidr_block: '10.0.1.0/24' },
        },
        B: {
          Type: 'Atonix::Networking::Subnet',
          DependsOn: 'A',
          Properties: { name: 'b', vpc_id: { Ref: 'Vpc' }, cidr_block: '10.0.2.0/24' },
        },
      },
    },
    '/template',
    {},
  );

  it('orders dependencies first, and deletes in reverse', () => {
    const g = dependencies(model);
    expect([...g.get('B')!].sort()).to.deep.equal(['A', 'Vpc']);
    expect(topoOrder(g)).to.deep.equal(['Vpc', 'A', 'B']);
    expect([...reversed(g).get('Vpc')!].sort()).to.deep.equal(['A', 'B']);
  });

  it('runs independent nodes in parallel, bounded, and never before their dependencies', async () => {
    const g = new Map([
      ['a', new Set<string>()],
      ['b', new Set<string>()],
      ['c', new Set<string>()],
      ['d', new Set(['a', 'b', 'c'])],
    ]);
    const started: string[] = [];
    let running = 0;
    let peak = 0;
    await runGraph(g, 2, async (n) => {
      started.push(n);
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    });
    expect(peak).to.equal(2);
    expect(started.at(-1)).to.equal('d');
  });

  it('finds a cycle and names its path', () => {
    const g = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    expect(findCycle(g)).to.deep.equal(['a', 'b', 'c', 'a']);
  });
});

describe('template formats', () => {
  it('reads YAML and JSON text, and refuses both an object and text at once', () => {
    expect(readTemplate({ template_body: 'Resources:\n  A: {Type: x}\n' }).doc).to.deep.equal({
      Resources: { A: { Type: 'x' } },
    });
    expect(readTemplate({ template_body: '{"Resources":{}}' }).doc).to.deep.equal({ Resources: {} });
    expect(() => readTemplate({ template: {}, template_body: '{}' })).to.throw(Problem);
  });

  it('turns Terraform JSON references, count and variables into the model', () => {
    const model = buildModel(
      {
        variable: { n: { type: 'number', default: 2 }, cidr: { default: '10.9.0.0/16' } },
        data: { atonix_flavor: { small: { name: 't1.small' } } },
        resource: {
          atonix_vpc: { main: { name: 'main', cidr_block: '${var.cidr}' } },
          atonix_subnet: {
            s: {
              count: '${var.n}',
              name: 'net-${count.index}',
              vpc_id: '${atonix_vpc.main.id}',
              cidr_block: '10.9.${count.index}.0/24',
            },
          },
        },
        output: { first: { value: '${atonix_subnet.s[0].id}' } },
      },
      '/template',
      {},
    );
    expect(Object.keys(model.resources)).to.deep.equal([
      'atonix_vpc.main',
      'atonix_subnet.s[0]',
      'atonix_subnet.s[1]',
      'data.atonix_flavor.small',
    ]);
    expect(model.resources['atonix_subnet.s[1]']!.properties).to.deep.equal({
      name: { 'Fn::Join': ['', ['net-', 1]] },
      vpc_id: { 'Fn::GetAtt': ['atonix_vpc.main', 'id'] },
      cidr_block: { 'Fn::Join': ['', ['10.9.', 1, '.0/24']] },
    });
    expect(model.resources['data.atonix_flavor.small']!.lookup).to.equal(true);
    expect(parameterValues(model, {})).to.deep.equal({ n: 2, cidr: '10.9.0.0/16' });
  });

  it('refuses unsupported Terraform expressions with a pointer', () => {
    try {
      buildModel(
        { resource: { atonix_vpc: { v: { name: '${upper("x")}', cidr_block: '10.0.0.0/16' } } } },
        '/template',
        {},
      );
      expect.fail('no error');
    } catch (e) {
      expect((e as Problem).errors![0]).to.include({
        pointer: '/template/resource/atonix_vpc/v/name',
        code: 'UnsupportedExpression',
      });
    }
  });
});

describe('property diff', () => {
  it('tells none, in-place update and replacement apart', () => {
    const before = { name: 'a', cidr_block: '10.0.0.0/16' };
    expect(diffProperties('vpc', before, { cidr_block: '10.0.0.0/16', name: 'a' }).action).to.equal('none');
    expect(diffProperties('vpc', before, { name: 'b', cidr_block: '10.0.0.0/16' })).to.deep.include({
      action: 'update',
      changed: ['name'],
      patch: { name: 'b' },
    });
    expect(diffProperties('vpc', before, { name: 'a', cidr_block: '10.1.0.0/16' })).to.deep.include({
      action: 'replace',
      replaceFields: ['cidr_block'],
    });
    expect(diffProperties('vpc', null, before).action).to.equal('create');
    expect(
      diffProperties(
        'instance',
        { name: 'x', metadata: { a: '1', b: '2' } },
        { name: 'x', metadata: { b: '2', a: '1' } },
      ).action,
    ).to.equal('none');
    expect(diffProperties('instance', { name: 'x', metadata: { a: '1' } }, { name: 'x' }).patch).to.deep.equal({
      metadata: null,
    });
  });

  it('merge-patches a nested object deeply, and sends a document whole (its nulls as values)', () => {
    const action = (fixed: Record<string, Json>) => ({ type: 'fixed-response', fixed_response: fixed });
    // default_action is a document: replaced whole, so what it no longer has is simply not in it.
    expect(
      diffProperties(
        'lb_listener',
        { port: 80, default_action: action({ status_code: 200, message_body: 'hi' }) },
        { port: 80, default_action: action({ status_code: 200 }) },
      ).patch,
    ).to.deep.equal({ default_action: action({ status_code: 200 }) });
    // Any other object is merged by the API, at any depth: a key gone from a nested object is named as null.
    expect(mergePatchBetween({ a: { x: 1, y: 2 }, b: 1 }, { a: { x: 1 }, b: 1 })).to.deep.equal({ a: { y: null } });
    const v1 = { StartAt: 'A', TimeoutSeconds: 60, States: { A: { Type: 'Pass', End: true } } };
    const v2 = { StartAt: 'A', States: { A: { Type: 'Pass', ResultPath: null, End: true } } };
    expect(diffProperties('workflow', { name: 'w', definition: v1 }, { name: 'w', definition: v2 })).to.deep.include({
      action: 'update',
      changed: ['definition'],
      patch: { definition: v2 },
    });
  });
});

describe('documents given as JSON text', () => {
  it('reads JSON text of an object as the object; leaves other text (YAML) and other fields alone', () => {
    const target = { operation_id: 'startWorkflowExecution', params: { id: 'wf-1' } };
    expect(
      readDocuments('scheduled_task', { name: '{"not":"a document"}', target: JSON.stringify(target) }),
    ).to.deep.equal({ name: '{"not":"a document"}', target });
    const yaml = 'StartAt: A\nStates:\n  A: { Type: Succeed }\n';
    expect(readDocuments('workflow', { definition: yaml })).to.deep.equal({ definition: yaml });
    // Two spellings of one document are no change.
    const def = { StartAt: 'A', States: { A: { Type: 'Succeed' } } };
    expect(
      diffProperties(
        'workflow',
        readDocuments('workflow', { definition: JSON.stringify(def) }),
        readDocuments('workflow', { definition: JSON.stringify(def, null, 2) }),
      ).action,
    ).to.equal('none');
  });
});
