// settle(): the wait behind Prefer: wait. It ends on the resource's own change event, takes the writer's answer as
// the first read, and still sees an event that arrived between the commit and its own subscription.
import { expect } from 'chai';
import { registry } from '../../../api/src/generated/registry.js';
import type { ChangeEvent, EventBus, Listener, Watch } from '../../../api/src/platform/events/bus.js';
import type { Result } from '../../../api/src/platform/operations/context.js';
import { settle } from '../../../api/src/platform/operations/settle.js';

/** The part of EventBus that settle() uses, fed by hand: events as LISTEN would deliver them. */
class Events {
  private listeners = new Map<string, Set<Listener>>();
  subscribeTo(id: string, l: Listener) {
    const set = this.listeners.get(id) ?? this.listeners.set(id, new Set()).get(id)!;
    set.add(l);
    return () => {
      set.delete(l);
    };
  }
  watch(id: string): Watch {
    const heard: ChangeEvent[] = [];
    return {
      heard: () => heard,
      close: this.subscribeTo(id, (ev) => {
        heard.push(ev);
      }),
    };
  }
  hear(ev: ChangeEvent) {
    for (const l of this.listeners.get(ev.id) ?? []) l(ev);
  }
  get waiting() {
    return [...this.listeners.values()].reduce((n, s) => n + s.size, 0);
  }
}

const vpc = registry.vpc!;
const event = (id: string, status: string): ChangeEvent => ({
  type: 'status_changed',
  kind: 'vpc',
  id,
  owner: 'usr-1',
  status,
  at: new Date().toISOString(),
});
const answer = (id: string, state: string): Result => ({ status: 200, body: { id, state } });

describe('api: settle (Prefer: wait)', () => {
  it('takes the create answer as its first read and reads again only once the event says the resource settled', async () => {
    const events = new Events();
    let reads = 0;
    const current = async () => {
      reads++;
      return answer('vpc-1', 'available');
    };
    const watch = events.watch('vpc-1');
    const done = settle(events as unknown as EventBus, vpc, 'vpc-1', 10, current, {
      answer: answer('vpc-1', 'pending'),
      watch,
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(reads).to.equal(0);
    events.hear(event('vpc-2', 'available')); // someone else's resource
    events.hear(event('vpc-1', 'pending'));
    await new Promise((r) => setTimeout(r, 20));
    expect(reads).to.equal(0);
    events.hear(event('vpc-1', 'available'));
    expect((await done).body).to.deep.equal({ id: 'vpc-1', state: 'available' });
    expect(reads).to.equal(1);
    watch.close();
    expect(events.waiting).to.equal(0);
  });

  it('reads at once when the settling event came between the commit and the wait, instead of waiting for one that will not come', async () => {
    const events = new Events();
    const watch = events.watch('vpc-1'); // armed before the commit
    events.hear(event('vpc-1', 'available'));
    events.hear({ ...event('vpc-1', 'available'), type: 'updated', status: 'available' }); // and something after it
    events.hear(event('vpc-1', 'pending')); // even a later event that does not settle it
    let reads = 0;
    const result = await settle(
      events as unknown as EventBus,
      vpc,
      'vpc-1',
      10,
      async () => {
        reads++;
        return answer('vpc-1', 'available');
      },
      { answer: answer('vpc-1', 'pending'), watch },
    );
    expect(result.body).to.deep.include({ state: 'available' });
    expect(reads).to.equal(1);
  });

  it('returns a settled answer without reading, and the resource as it is when the wait runs out', async () => {
    const events = new Events();
    let reads = 0;
    const current = async () => {
      reads++;
      return answer('vpc-1', 'pending');
    };
    const watch = events.watch('vpc-1');
    expect(
      (
        await settle(events as unknown as EventBus, vpc, 'vpc-1', 10, current, {
          answer: answer('vpc-1', 'available'),
          watch,
        })
      ).body,
    ).to.deep.include({ state: 'available' });
    expect(reads).to.equal(0);
    expect(
      (
        await settle(events as unknown as EventBus, vpc, 'vpc-1', 0, current, {
          answer: answer('vpc-1', 'pending'),
          watch,
        })
      ).body,
    ).to.deep.include({ state: 'pending' });
    expect(reads).to.equal(1);
  });
});
