// gRPC handlers besides the provider: go-plugin's controller (Shutdown) and stdio stream, the health check, and the
// mapping of tfplugin6.Provider paths onto the provider service.
import type { CallContext, GrpcHandler } from './grpc-server.js';
import { GrpcError, GrpcStatus } from './grpc-server.js';
import type { ProviderService } from './provider-service.js';

export function providerHandlers(service: ProviderService): Record<string, GrpcHandler> {
  const handlers: Record<string, GrpcHandler> = {};
  for (const [name, rpc] of Object.entries(service)) {
    const call = rpc as (request: unknown, cancel?: CallContext) => Promise<unknown>;
    handlers[`/tfplugin6.Provider/${name}`] = (request, ctx) => call(request, ctx);
  }
  return handlers;
}

export function goPluginHandlers(options: { shutdown(): void }): Record<string, GrpcHandler> {
  return {
    // Reply first, then leave: core waits 2 s for the process to exit before killing it.
    '/plugin.GRPCController/Shutdown': (_request, call: CallContext) => {
      call.onFinished(() => options.shutdown());
      return {};
    },
    // Nothing is ever written to stdout after the handshake, so the stream ends at once (core logs "received EOF").
    '/plugin.GRPCStdio/StreamStdio': () => [],
    '/grpc.health.v1.Health/Check': (request) => {
      const service = (request as { service: string }).service;
      if (service !== '' && service !== 'plugin')
        throw new GrpcError(GrpcStatus.NOT_FOUND, `unknown service ${service}`);
      return { status: 'SERVING' };
    },
  };
}
