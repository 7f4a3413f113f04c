import { expect } from 'chai';
import { Clock } from '../../../api/src/platform/clock.js';

describe('platform clock', () => {
  it('manual: holds still, moves only forward, fires due timers and tick handlers in order', async () => {
    const clock = new Clock(true);
    const start = clock.now();
    await new Promise((r) => setTimeout(r, 5));
    expect(clock.now()).to.equal(start);
    const fired: string[] = [];
    clock.at(start + 10_000, () => fired.push('10s'));
    const late = clock.at(start + 20_000, () => fired.push('20s'));
    clock.onTick((now) => void fired.push(`tick@${now - start}`));
    await clock.set(start + 10_000);
    expect(fired).to.deep.equal(['10s', 'tick@10000']);
    late.cancel();
    await clock.set(start + 5_000); // backwards: ignored, but work due is looked for again
    expect(clock.now()).to.equal(start + 10_000);
    await clock.set(start + 30_000);
    expect(fired).to.deep.equal(['10s', 'tick@10000', 'tick@10000', 'tick@30000']);
  });

  it('manual: a timer already due fires at once', async () => {
    const clock = new Clock(true);
    let fired = false;
    clock.at(clock.now() - 1, () => (fired = true));
    await Promise.resolve();
    expect(fired).to.equal(true);
  });

  it('a failing tick handler is reported and the others still run', async () => {
    const errors: unknown[] = [];
    const clock = new Clock(true, (e) => errors.push(e));
    let ran = false;
    clock.onTick(() => {
      throw new Error('boom');
    });
    clock.onTick(() => void (ran = true));
    await clock.set(clock.now() + 1);
    expect(ran).to.equal(true);
    expect(errors).to.have.length(1);
  });

  it('real: follows the system clock; a timer months ahead does not fire early (past the longest node timer)', async () => {
    const clock = new Clock(false);
    expect(Math.abs(clock.now() - Date.now())).to.be.below(50);
    let fired = false;
    const t = clock.at(Date.now() + 90 * 86_400_000, () => (fired = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).to.equal(false);
    t.cancel();
    let soon = false;
    clock.at(Date.now() + 5, () => (soon = true));
    await new Promise((r) => setTimeout(r, 40));
    expect(soon).to.equal(true);
    await clock.set(0).then(
      () => expect.fail('a real clock cannot be set'),
      (e: Error) => expect(e.message).to.match(/not manual/),
    );
  });
});
