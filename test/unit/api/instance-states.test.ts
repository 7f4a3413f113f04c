import { expect } from 'chai';
import { Problem } from '../../../api/src/platform/problems.js';
import { actionFor, transition } from '../../../api/src/compute/instance-states.js';

describe('instance state machine', () => {
  it('starts stopped instances and stops running ones', () => {
    expect(transition('inst-a', 'start', 'stopped')).to.equal('running');
    expect(transition('inst-a', 'stop', 'running')).to.equal('stopped');
  });

  for (const [action, from] of [
    ['start', 'running'],
    ['start', 'building'],
    ['start', 'error'],
    ['stop', 'stopped'],
    ['stop', 'building'],
    ['stop', 'error'],
  ] as const) {
    it(`refuses ${action} from ${from} with a 409 naming both statuses`, () => {
      try {
        transition('inst-a', action, from);
        expect.fail('no error');
      } catch (e) {
        expect(e).to.be.instanceOf(Problem);
        const p = e as Problem;
        expect(p.status).to.equal(409);
        expect(p.extra).to.deep.equal({
          current_status: from,
          allowed_statuses: [action === 'start' ? 'stopped' : 'running'],
        });
      }
    });
  }

  it('maps a desired power state to its action', () => {
    expect(actionFor('running')).to.equal('start');
    expect(actionFor('stopped')).to.equal('stop');
  });
});
