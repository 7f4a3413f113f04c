// The definition checker: every problem reported at once, each with a pointer into the request body.
import { expect } from 'chai';
import { checkDefinition, type OperationLookup } from '../../../api/src/automation/workflows/check.js';

const ops: OperationLookup = (call, at) =>
  call.operation_id === 'getThing'
    ? Object.keys(call.params ?? {})
        .filter((k) => k !== 'id')
        .map((k) => ({ pointer: `${at.params}/${k}`, detail: 'unknown', code: 'UnknownParameter' }))
    : [{ pointer: at.operation, detail: 'unknown', code: 'UnknownOperation' }];

const problems = (definition: unknown) => checkDefinition(definition, ops).map((e) => `${e.pointer} ${e.code}`);

describe('workflow definition checker', () => {
  it('accepts a machine using every state type', () => {
    const ok = {
      StartAt: 'T',
      TimeoutSeconds: 60,
      States: {
        T: { Type: 'Task', Resource: 'getThing', Parameters: { params: { 'id.$': '$.id' } }, Next: 'C' },
        C: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'W' }], Default: 'F' },
        W: { Type: 'Wait', Seconds: 5, Next: 'P' },
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'X', States: { X: { Type: 'Pass', End: true } } }],
          Retry: [{ ErrorEquals: ['States.ALL'] }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'F' }],
          Next: 'M',
        },
        M: { Type: 'Map', ItemProcessor: { StartAt: 'Y', States: { Y: { Type: 'Succeed' } } }, Next: 'S' },
        S: { Type: 'Succeed' },
        F: { Type: 'Fail', Error: 'E', Cause: 'c' },
      },
    };
    expect(problems(ok)).to.deep.equal([]);
  });

  it('reports each structural problem with its pointer', () => {
    expect(
      problems({
        StartAt: 'A',
        Extra: 1,
        States: {
          A: { Type: 'Pass', Next: 'B', End: true },
          B: { Type: 'Wait', Seconds: 1, Timestamp: '2027-01-01T00:00:00Z', Next: 'C' },
          C: { Type: 'Choice', Choices: [{ Variable: '$.x', StringEquals: 'y', Next: 'D' }], Default: 'Gone' },
          D: {
            Type: 'Task',
            Resource: 'getThing',
            Parameters: { params: { colour: 'red' } },
            Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['Busy'], BackoffRate: 0.5 }],
            Catch: [{ ErrorEquals: [], Next: 'Nowhere' }],
            End: true,
          },
          E: { Type: 'Map', End: true },
          G: { Type: 'Parallel', Branches: [{ StartAt: 'Q', States: { Q: { Type: 'Pass' } } }], End: true },
        },
      }),
    ).to.have.members([
      '/definition/Extra UnknownField',
      '/definition/States/A/End InvalidDefinition',
      '/definition/States/B InvalidWait',
      '/definition/States/C/Default UnknownState',
      '/definition/States/D/Parameters/params/colour UnknownParameter',
      '/definition/States/D/Retry/0/ErrorEquals InvalidDefinition',
      '/definition/States/D/Retry/1/BackoffRate InvalidDefinition',
      '/definition/States/D/Catch/0/ErrorEquals InvalidDefinition',
      '/definition/States/D/Catch/0/Next UnknownState',
      '/definition/States/E/ItemProcessor Required',
      '/definition/States/G/Branches/0/States/Q/Next Required',
      '/definition/States/E UnreachableState',
      '/definition/States/G UnreachableState',
    ]);
  });

  it('refuses what is not a machine, a missing StartAt target and an unknown operation', () => {
    expect(problems('text')).to.deep.equal(['/definition InvalidDefinition']);
    expect(problems({ StartAt: 'Z', States: { A: { Type: 'Succeed' } } })).to.deep.equal([
      '/definition/StartAt InvalidDefinition',
    ]);
    expect(problems({ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'nope', End: true } } })).to.deep.equal([
      '/definition/States/A/Resource UnknownOperation',
    ]);
  });
});
