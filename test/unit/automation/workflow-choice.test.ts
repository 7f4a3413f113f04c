// Workflow Choice rules: what a rule may say and the pointers to what it may not, and how the next state is picked.
import { expect } from 'chai';
import {
  type ChoiceRule,
  checkChoiceRule,
  chooseNext,
  evaluateChoice,
} from '../../../api/src/automation/workflows/choice.js';
import { PathError, type Context, type Json } from '../../../api/src/automation/workflows/paths.js';

const ctx: Context = { Execution: { Id: 'exec-1' }, State: { Name: 'Pick', EnteredTime: '2026-12-03T06:00:00Z' } };
const input: Json = {
  s: 'beta',
  n: 10,
  f: 2.5,
  t: true,
  nul: null,
  ts: '2026-12-03T07:00:00+01:00',
  tsLater: '2026-12-03T06:00:00.000000001Z',
  other: { s: 'alpha', n: 10, t: true, ts: '2026-12-03T06:00:00Z' },
  list: [1],
};
const is = (rule: ChoiceRule, doc: Json = input) => evaluateChoice(rule, doc, ctx);
const P = '/definition/States/Pick/Choices/0';

describe('automation: workflow Choice rules', () => {
  describe('checkChoiceRule', () => {
    it('accepts each operator family with a well-typed operand, and nested rules', () => {
      const good: unknown[] = [
        { Variable: '$.s', StringEquals: 'x', Next: 'A' },
        { Variable: '$.s', StringGreaterThanEqualsPath: '$.other.s', Next: 'A' },
        { Variable: '$.s', StringMatches: 'log-\\*-*.txt\\\\', Next: 'A' },
        { Variable: '$.n', NumericLessThan: 3.5, Next: 'A', Comment: 'small' },
        { Variable: '$$.Execution.Id', IsPresent: true, Next: 'A' },
        { Variable: '$.t', BooleanEquals: false, Next: 'A' },
        { Variable: '$.ts', TimestampLessThanEquals: '2026-12-03T06:00:00.5-05:30', Next: 'A' },
        { Variable: '$.ts', IsTimestamp: true, Next: 'A' },
        { And: [{ Variable: '$.n', IsNumeric: true }, { Not: { Variable: '$.n', NumericEquals: 0 } }], Next: 'A' },
      ];
      for (const r of good) expect(checkChoiceRule(r, P, true), JSON.stringify(r)).to.deep.equal([]);
      expect(checkChoiceRule({ Variable: '$.s', IsNull: false }, P, false)).to.deep.equal([]);
    });

    it('points at the offending nested operand', () => {
      const rule = {
        And: [
          { Variable: '$.a', IsPresent: true },
          { Variable: '$.n', NumericEquals: '5' },
        ],
        Next: 'Done',
      };
      expect(checkChoiceRule(rule, '/definition/States/Pick/Choices/0', true)).to.deep.equal([
        { pointer: '/definition/States/Pick/Choices/0/And/1/NumericEquals', detail: 'must be a number', code: 'Type' },
      ]);
    });

    it('requires Next at the top and refuses it in nested rules', () => {
      expect(checkChoiceRule({ Variable: '$.a', IsNull: true }, P, true)).to.deep.equal([
        { pointer: `${P}/Next`, detail: 'is required', code: 'Required' },
      ]);
      expect(checkChoiceRule({ Variable: '$.a', IsNull: true, Next: 3 }, P, true)).to.deep.equal([
        { pointer: `${P}/Next`, detail: 'must be a state name', code: 'Type' },
      ]);
      expect(checkChoiceRule({ Not: { Variable: '$.a', IsNull: true, Next: 'X' }, Next: 'A' }, P, true)).to.deep.equal([
        { pointer: `${P}/Not/Next`, detail: 'is only allowed on a top-level rule of Choices', code: 'Invalid' },
      ]);
    });

    it('names unknown fields, including misspelt operators', () => {
      expect(checkChoiceRule({ Variable: '$.a', StringEqual: 'x', 'x/y': 1, Next: 'A' }, P, true)).to.deep.equal([
        {
          pointer: `${P}/StringEqual`,
          detail:
            'unknown field StringEqual: a Choice rule has Variable and one comparison operator, or And, Or or Not',
          code: 'UnknownField',
        },
        {
          pointer: `${P}/x~1y`,
          detail: 'unknown field x/y: a Choice rule has Variable and one comparison operator, or And, Or or Not',
          code: 'UnknownField',
        },
        {
          pointer: P,
          detail: 'must have a comparison operator, like StringEquals or IsPresent',
          code: 'Required',
        },
      ]);
    });

    it('requires exactly one of a comparison, And, Or or Not', () => {
      expect(checkChoiceRule({ Next: 'A' }, P, true)).to.deep.equal([
        {
          pointer: P,
          detail: 'must have a comparison (Variable and an operator), or And, Or or Not',
          code: 'Required',
        },
      ]);
      const both = { Variable: '$.a', IsNull: true, Or: [{ Variable: '$.b', IsNull: true }], Next: 'A' };
      expect(checkChoiceRule(both, P, true)).to.deep.equal([
        { pointer: `${P}/Or`, detail: 'cannot be combined with a comparison in one rule', code: 'Invalid' },
      ]);
      const two = { And: [{ Variable: '$.a', IsNull: true }], Not: { Variable: '$.b', IsNull: true }, Next: 'A' };
      expect(checkChoiceRule(two, P, true)).to.deep.equal([
        { pointer: `${P}/Not`, detail: 'cannot be combined with And in one rule', code: 'Invalid' },
      ]);
      expect(checkChoiceRule({ Variable: '$.a', IsNull: true, IsString: true, Next: 'A' }, P, true)).to.deep.equal([
        {
          pointer: `${P}/IsString`,
          detail: 'only one comparison operator is allowed, and there is already IsNull',
          code: 'Invalid',
        },
      ]);
      expect(checkChoiceRule({ StringEquals: 'x', Next: 'A' }, P, true)).to.deep.equal([
        { pointer: `${P}/Variable`, detail: 'is required', code: 'Required' },
      ]);
    });

    it('checks Variable and *Path operands as paths, with $$ allowed', () => {
      expect(checkChoiceRule({ Variable: '$.a[', IsNull: true, Next: 'A' }, P, true)).to.deep.equal([
        { pointer: `${P}/Variable`, detail: 'unclosed [ at position 3', code: 'InvalidPath' },
      ]);
      expect(checkChoiceRule({ Variable: 7, IsNull: true, Next: 'A' }, P, true)).to.deep.equal([
        { pointer: `${P}/Variable`, detail: 'must be a path (a string)', code: 'Type' },
      ]);
      expect(checkChoiceRule({ Variable: '$.n', NumericEqualsPath: '$.*', Next: 'A' }, P, true)).to.deep.equal([
        { pointer: `${P}/NumericEqualsPath`, detail: 'wildcards are not supported', code: 'InvalidPath' },
      ]);
      expect(checkChoiceRule({ Variable: '$.n', NumericEqualsPath: 5, Next: 'A' }, P, true)).to.deep.equal([
        { pointer: `${P}/NumericEqualsPath`, detail: 'must be a path (a string)', code: 'Type' },
      ]);
      expect(
        checkChoiceRule({ Variable: '$.n', NumericEqualsPath: '$$.State.Name', Next: 'A' }, P, true),
      ).to.deep.equal([]);
    });

    it('checks each family operand type', () => {
      const cases: [string, unknown, string, string][] = [
        ['StringEquals', 1, 'must be a string', 'Type'],
        ['StringLessThan', null, 'must be a string', 'Type'],
        ['StringMatches', 'a\\b', 'only \\* and \\\\ may be escaped', 'Invalid'],
        ['StringMatches', 'a\\', 'only \\* and \\\\ may be escaped', 'Invalid'],
        ['NumericGreaterThan', '1', 'must be a number', 'Type'],
        ['BooleanEquals', 'true', 'must be a boolean', 'Type'],
        ['TimestampEquals', 5, 'must be an RFC 3339 timestamp', 'Type'],
        [
          'TimestampGreaterThan',
          '2026-02-30T00:00:00Z',
          'must be an RFC 3339 timestamp, like 2026-01-31T23:59:59Z',
          'Invalid',
        ],
        [
          'TimestampLessThan',
          '2026-12-03 06:00:00Z',
          'must be an RFC 3339 timestamp, like 2026-01-31T23:59:59Z',
          'Invalid',
        ],
        [
          'TimestampLessThan',
          '2026-12-03T24:00:00Z',
          'must be an RFC 3339 timestamp, like 2026-01-31T23:59:59Z',
          'Invalid',
        ],
        [
          'TimestampLessThan',
          '2026-12-03T06:00:00',
          'must be an RFC 3339 timestamp, like 2026-01-31T23:59:59Z',
          'Invalid',
        ],
        ['IsPresent', 'yes', 'must be a boolean', 'Type'],
        ['IsTimestamp', 1, 'must be a boolean', 'Type'],
      ];
      for (const [op, v, detail, code] of cases)
        expect(checkChoiceRule({ Variable: '$.x', [op]: v }, '/c', false), op).to.deep.equal([
          { pointer: `/c/${op}`, detail, code },
        ]);
      expect(checkChoiceRule({ Variable: '$.x', StringMatchesPath: '$.p' }, '/c', false)[0].code).to.equal(
        'UnknownField',
      );
    });

    it('checks And, Or and Not themselves', () => {
      expect(checkChoiceRule({ And: [], Next: 'A' }, P, true)).to.deep.equal([
        { pointer: `${P}/And`, detail: 'must have at least one rule', code: 'Invalid' },
      ]);
      expect(checkChoiceRule({ Or: { Variable: '$.a', IsNull: true }, Next: 'A' }, P, true)).to.deep.equal([
        { pointer: `${P}/Or`, detail: 'must be an array of Choice rules', code: 'Type' },
      ]);
      expect(checkChoiceRule({ Not: [], Next: 'A' }, P, true)).to.deep.equal([
        { pointer: `${P}/Not`, detail: 'must be an object', code: 'Type' },
      ]);
      expect(checkChoiceRule({ Or: [{ Not: { And: [{}] } }], Next: 'A' }, P, true)).to.deep.equal([
        {
          pointer: `${P}/Or/0/Not/And/0`,
          detail: 'must have a comparison (Variable and an operator), or And, Or or Not',
          code: 'Required',
        },
      ]);
      expect(checkChoiceRule('x', P, true)).to.deep.equal([{ pointer: P, detail: 'must be an object', code: 'Type' }]);
    });
  });

  describe('evaluateChoice', () => {
    it('compares strings, with literal and Path operands', () => {
      expect(is({ Variable: '$.s', StringEquals: 'beta' })).to.equal(true);
      expect(is({ Variable: '$.s', StringEquals: 'Beta' })).to.equal(false);
      expect(is({ Variable: '$.s', StringLessThan: 'gamma' })).to.equal(true);
      expect(is({ Variable: '$.s', StringGreaterThan: 'gamma' })).to.equal(false);
      expect(is({ Variable: '$.s', StringLessThanEquals: 'beta' })).to.equal(true);
      expect(is({ Variable: '$.s', StringGreaterThanEquals: 'betb' })).to.equal(false);
      expect(is({ Variable: '$.s', StringGreaterThanPath: '$.other.s' })).to.equal(true);
      expect(is({ Variable: '$.s', StringEqualsPath: '$.other.s' })).to.equal(false);
      expect(is({ Variable: '$$.State.Name', StringEquals: 'Pick' })).to.equal(true);
    });

    it('compares numbers, with literal and Path operands', () => {
      expect(is({ Variable: '$.n', NumericEquals: 10 })).to.equal(true);
      expect(is({ Variable: '$.f', NumericLessThan: 2.5 })).to.equal(false);
      expect(is({ Variable: '$.f', NumericLessThanEquals: 2.5 })).to.equal(true);
      expect(is({ Variable: '$.n', NumericGreaterThan: 9.99 })).to.equal(true);
      expect(is({ Variable: '$.f', NumericGreaterThanEquals: 3 })).to.equal(false);
      expect(is({ Variable: '$.n', NumericEqualsPath: '$.other.n' })).to.equal(true);
      expect(is({ Variable: '$.f', NumericGreaterThanPath: '$.n' })).to.equal(false);
    });

    it('compares booleans', () => {
      expect(is({ Variable: '$.t', BooleanEquals: true })).to.equal(true);
      expect(is({ Variable: '$.t', BooleanEquals: false })).to.equal(false);
      expect(is({ Variable: '$.t', BooleanEqualsPath: '$.other.t' })).to.equal(true);
    });

    it('compares timestamps as instants, whatever their offsets, to the nanosecond', () => {
      // $.ts is 06:00Z written in +01:00.
      expect(is({ Variable: '$.ts', TimestampEquals: '2026-12-03T06:00:00Z' })).to.equal(true);
      expect(is({ Variable: '$.ts', TimestampEquals: '2026-12-03T01:00:00.000-05:00' })).to.equal(true);
      expect(is({ Variable: '$.ts', TimestampLessThan: '2026-12-03T06:00:00.001Z' })).to.equal(true);
      expect(is({ Variable: '$.ts', TimestampGreaterThan: '2026-12-03T05:59:59.999Z' })).to.equal(true);
      expect(is({ Variable: '$.ts', TimestampGreaterThanEquals: '2026-12-03T06:00:01Z' })).to.equal(false);
      expect(is({ Variable: '$.ts', TimestampLessThanEquals: '2026-12-03T06:00:00Z' })).to.equal(true);
      expect(is({ Variable: '$.tsLater', TimestampGreaterThanPath: '$.ts' })).to.equal(true);
      expect(is({ Variable: '$.ts', TimestampEqualsPath: '$.other.ts' })).to.equal(true);
      expect(is({ Variable: '$.ts', TimestampEqualsPath: '$$.State.EnteredTime' })).to.equal(true);
      expect(is({ Variable: '$.s', TimestampLessThan: '2026-12-03T06:00:00Z' })).to.equal(false);
    });

    it('matches * wildcards, with \\* and \\\\ as literals and regex characters taken literally', () => {
      const m = (s: string, pattern: string) => is({ Variable: '$.v', StringMatches: pattern }, { v: s });
      expect(m('log-2026.txt', 'log-*.txt')).to.equal(true);
      expect(m('log-2026.txt', 'log-*.csv')).to.equal(false);
      expect(m('log-.txt', 'log-*.txt')).to.equal(true);
      expect(m('logX2026.txt', 'log-*.txt')).to.equal(false);
      expect(m('a*b', 'a\\*b')).to.equal(true);
      expect(m('axb', 'a\\*b')).to.equal(false);
      expect(m('a\\b', 'a\\\\b')).to.equal(true);
      expect(m('a\\xb', 'a\\\\*b')).to.equal(true);
      expect(m('a.b(c)+', 'a.b(c)+')).to.equal(true);
      expect(m('aXb(c)+', 'a.b(c)+')).to.equal(false);
      expect(m('line1\nline2', 'line1*')).to.equal(true);
      expect(m('anything', '*')).to.equal(true);
      expect(m('', '*')).to.equal(true);
    });

    it('tests types with Is*', () => {
      expect(is({ Variable: '$.nul', IsNull: true })).to.equal(true);
      expect(is({ Variable: '$.s', IsNull: true })).to.equal(false);
      expect(is({ Variable: '$.s', IsNull: false })).to.equal(true);
      expect(is({ Variable: '$.n', IsNumeric: true })).to.equal(true);
      expect(is({ Variable: '$.s', IsNumeric: false })).to.equal(true);
      expect(is({ Variable: '$.s', IsString: true })).to.equal(true);
      expect(is({ Variable: '$.t', IsBoolean: true })).to.equal(true);
      expect(is({ Variable: '$.n', IsBoolean: true })).to.equal(false);
      expect(is({ Variable: '$.ts', IsTimestamp: true })).to.equal(true);
      expect(is({ Variable: '$.s', IsTimestamp: true })).to.equal(false);
      expect(is({ Variable: '$.n', IsTimestamp: false })).to.equal(true);
    });

    it('treats a type mismatch as a non-match, never an error', () => {
      expect(is({ Variable: '$.n', StringEquals: '10' })).to.equal(false);
      expect(is({ Variable: '$.s', NumericEquals: 10 })).to.equal(false);
      expect(is({ Variable: '$.n', BooleanEquals: true })).to.equal(false);
      expect(is({ Variable: '$.list', StringMatches: '*' })).to.equal(false);
      expect(is({ Variable: '$.s', NumericEqualsPath: '$.n' })).to.equal(false);
    });

    it('treats a missing Variable or Path operand as a non-match, except IsPresent', () => {
      expect(is({ Variable: '$.none', StringEquals: 'x' })).to.equal(false);
      expect(is({ Variable: '$.none.deeper', NumericLessThan: 1 })).to.equal(false);
      expect(is({ Variable: '$.none', IsNull: true })).to.equal(false);
      expect(is({ Variable: '$.none', IsNull: false })).to.equal(false);
      expect(is({ Variable: '$.none', IsPresent: false })).to.equal(true);
      expect(is({ Variable: '$.none', IsPresent: true })).to.equal(false);
      expect(is({ Variable: '$.nul', IsPresent: true })).to.equal(true);
      expect(is({ Variable: '$.s', StringEqualsPath: '$.none' })).to.equal(false);
      expect(is({ Variable: '$.list[3]', IsPresent: false })).to.equal(true);
    });

    it('combines with And, Or and Not, nested', () => {
      const yes: ChoiceRule = { Variable: '$.n', NumericEquals: 10 };
      const no: ChoiceRule = { Variable: '$.n', NumericEquals: 11 };
      expect(is({ And: [yes, yes] })).to.equal(true);
      expect(is({ And: [yes, no] })).to.equal(false);
      expect(is({ Or: [no, yes] })).to.equal(true);
      expect(is({ Or: [no, no] })).to.equal(false);
      expect(is({ Not: no })).to.equal(true);
      expect(is({ Not: yes })).to.equal(false);
      expect(is({ And: [{ Not: no }, { Or: [no, { Not: { Not: yes } }] }] })).to.equal(true);
      expect(is({ Not: { Variable: '$.none', StringEquals: 'x' } })).to.equal(true);
    });
  });

  describe('chooseNext', () => {
    const choices: ChoiceRule[] = [
      { Variable: '$.n', NumericGreaterThan: 100, Next: 'Big' },
      { Variable: '$.n', NumericGreaterThan: 5, Next: 'Medium' },
      { Variable: '$.n', NumericGreaterThan: 0, Next: 'Small' },
    ];

    it('takes the first matching rule, in order', () => {
      expect(chooseNext(choices, 'Other', { n: 500 }, ctx)).to.equal('Big');
      expect(chooseNext(choices, 'Other', { n: 10 }, ctx)).to.equal('Medium');
      expect(chooseNext(choices, 'Other', { n: 1 }, ctx)).to.equal('Small');
    });

    it('falls back to Default, else fails with NoChoiceMatched', () => {
      expect(chooseNext(choices, 'Other', { n: -1 }, ctx)).to.equal('Other');
      expect(chooseNext(choices, 'Other', {}, ctx)).to.equal('Other');
      let error: unknown;
      try {
        chooseNext(choices, undefined, { n: 'ten' }, ctx);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(PathError);
      expect([(error as PathError).code, (error as PathError).message]).to.deep.equal([
        'NoChoiceMatched',
        'No Choice matched and no Default',
      ]);
    });
  });
});
