// POST /api/networking/reachability (an operation on no kind): resolves both ends and analyses each pair of them.
import { defineOperations } from '../../platform/manifest.js';
import { problems } from '../../platform/problems.js';
import { analyze } from './analyze.js';
import { resolveEndpoint } from './endpoints.js';

export const reachabilityOperations = defineOperations('networking', {
  handlers: () => ({
    async analyzeReachability(ctx) {
      const { source, destination, protocol } = ctx.body;
      const port = ctx.body.port ?? null;
      if (port === null && protocol !== 'icmp')
        throw problems.invalidField('port', `is required for ${protocol}`, 'Required');
      const sources = await resolveEndpoint(ctx.db, ctx.principal, source, 'source');
      const destinations = await resolveEndpoint(ctx.db, ctx.principal, destination, 'destination');
      const dst = destinations[0]!;
      if (dst.kind === 'cidr')
        throw problems.invalidField('destination', 'must be an endpoint id (an instance)', 'InvalidEndpoint');
      // An endpoint that stands for several (a load balancer in several subnets) is reachable when any pair is.
      let answer = await analyze(ctx.db, sources[0]!, dst, { protocol, port });
      for (const s of sources)
        for (const d of destinations) {
          if (answer.reachable) break;
          if (s === sources[0] && d === dst) continue;
          answer = await analyze(ctx.db, s, d, { protocol, port });
        }
      return { status: 200, body: answer };
    },
  }),
});
