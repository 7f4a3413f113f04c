// The logs' pure parts: the `fields=` filter syntax, the tail's filter, and which change events and job outcomes
// become platform lines.
import { expect } from 'chai';
import { parseFields } from '../../../api/src/monitoring/logs/index.js';
import { jobLine, stateLine } from '../../../api/src/monitoring/logs/platform-lines.js';
import { logTail, type LogEvent } from '../../../api/src/platform/events/log-tail.js';
import { Problem } from '../../../api/src/platform/problems.js';

describe('logs: fields= syntax', () => {
  it('splits path:value pairs at commas and paths at dots; a value keeps its own colons', () => {
    expect(parseFields('http.status:500,url:http://x:80/')).to.deep.equal([
      { path: ['http', 'status'], value: '500' },
      { path: ['url'], value: 'http://x:80/' },
    ]);
    expect(parseFields('empty:')).to.deep.equal([{ path: ['empty'], value: '' }]);
  });

  it('refuses a pair without a path, or with an empty segment, naming the parameter', () => {
    for (const bad of ['nonsense', ':500', 'a..b:1', 'a:1,,b:2']) {
      let thrown: unknown;
      try {
        parseFields(bad);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, bad).to.be.instanceOf(Problem);
      expect((thrown as Problem).errors![0]).to.include({ pointer: 'fields', code: 'InvalidFieldFilter' });
    }
  });
});

describe('logs: the tail filter', () => {
  const ev = (o: Partial<LogEvent>) =>
    ({ type: 'log', level: 'info', message: 'm', resource_id: null, ...o }) as LogEvent;

  it('is off unless the stream asks', () => {
    expect(logTail(new URLSearchParams(''))).to.equal(undefined);
    expect(logTail(new URLSearchParams('logs=0'))).to.equal(undefined);
    expect(logTail(new URLSearchParams('logs=1'))!(ev({}))).to.equal(true);
  });

  it('keeps lines at or above the least level, of the resource, holding the substring in any case', () => {
    const f = logTail(new URLSearchParams('log_level=warn&log_resource_id=r1&log_q=Disk'))!;
    expect(f(ev({ level: 'error', resource_id: 'r1', message: 'DISK full' }))).to.equal(true);
    expect(f(ev({ level: 'info', resource_id: 'r1', message: 'disk' }))).to.equal(false);
    expect(f(ev({ level: 'fatal', resource_id: 'r2', message: 'disk' }))).to.equal(false);
    expect(f(ev({ level: 'warn', resource_id: 'r1', message: 'cpu' }))).to.equal(false);
  });
});

describe('logs: platform lines', () => {
  const at = '2026-12-03T10:00:00.000Z';

  it('makes a state line of a status move only, error for a failed status, with an origin naming the event', () => {
    const line = stateLine({
      type: 'status_changed',
      kind: 'instance',
      id: 'inst-1',
      owner: 'usr-1',
      status: 'error',
      at,
    });
    expect(line).to.include({
      owner: 'usr-1',
      level: 'error',
      source: 'state',
      message: 'instance inst-1 is now error',
    });
    expect(line!.origin).to.equal(`state:instance:inst-1:error:${at}`);
    expect(stateLine({ type: 'created', kind: 'instance', id: 'inst-1', owner: 'usr-1', status: 'building', at })).to.be
      .undefined;
    expect(stateLine({ type: 'status_changed', kind: 'token', id: 'tok-1', owner: 'usr-1', at })).to.be.undefined;
    expect(stateLine({ type: 'status_changed', kind: 'instance', id: 'inst-1', owner: null, status: 'running', at })).to
      .be.undefined;
  });

  it("makes a job line of a job about a resource (its kind from the id's prefix), the error's message when failed", () => {
    const ok = jobLine({ queue: 'provision-instance', data: { id: 'inst-abc' }, ok: true });
    expect(ok).to.include({
      owner: null,
      kind: 'instance',
      level: 'info',
      message: 'job provision-instance succeeded',
    });
    const failed = jobLine({ queue: 'q', data: { id: 'vol-abc' }, ok: false, error: new Error('disk on fire') });
    expect(failed).to.include({ kind: 'volume', level: 'error', message: 'job q failed: disk on fire' });
    expect(jobLine({ queue: 'q', data: { id: 'nothing-known' }, ok: true })).to.be.undefined;
    expect(jobLine({ queue: 'q', data: {}, ok: true })).to.be.undefined;
  });
});
