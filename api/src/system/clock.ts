// The manual platform clock's endpoints: read it, move it forward. A real clock has no endpoint (404), so a
// production process cannot be time-travelled by anyone.
import type { Deps } from '../platform/deps.js';
import { sendSignal } from '../platform/events/bus.js';
import { defineOperations } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';

export const clockOperations = defineOperations('admin', {
  handlers: ({ clock }: Deps) => {
    const reading = () => ({ status: 200, body: { now: clock.date().toISOString(), mode: 'manual' } });
    return {
      async getClock(ctx) {
        if (!clock.manual) throw problems.routeNotFound(ctx.op.method, ctx.op.path);
        return reading();
      },
      async setClock(ctx) {
        if (!clock.manual) throw problems.routeNotFound(ctx.op.method, ctx.op.path);
        const { advance_seconds, now } = ctx.body as { advance_seconds?: number; now?: string };
        const to = now === undefined ? clock.now() + advance_seconds! * 1000 : Date.parse(now);
        if (to < clock.now())
          throw problems.invalidField(
            'now',
            `is before the platform time ${clock.date().toISOString()}; the clock only moves forward`,
          );
        // Other processes hear it when this call commits; this one runs what came due before it answers.
        await sendSignal(ctx.db, 'clock', String(to));
        await clock.set(to);
        return reading();
      },
    };
  },
});
