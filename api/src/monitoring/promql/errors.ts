// The PromQL engine's one error: Prometheus's error types, so the HTTP API can answer as Prometheus does.

export type PromQLErrorType = 'bad_data' | 'execution' | 'timeout';

/** Bad or unsupported PromQL (`bad_data`), a failure while evaluating (`execution`), or a query over its time. */
export class PromQLError extends Error {
  constructor(
    readonly errorType: PromQLErrorType,
    message: string,
  ) {
    super(message);
    this.name = 'PromQLError';
  }
}

export const badData = (message: string): PromQLError => new PromQLError('bad_data', message);
export const execution = (message: string): PromQLError => new PromQLError('execution', message);
export const unsupported = (construct: string): PromQLError => badData(`unsupported: ${construct}`);
