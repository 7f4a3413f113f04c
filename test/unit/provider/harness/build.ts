// Builds the test-only provider bundle once per test run, so no test pays for (or races on) an on-demand build.
import { buildProvider } from '../../../../scripts/build-provider.js';

let built: Promise<unknown> | undefined;

export function buildFake(): Promise<unknown> {
  built ??= buildProvider({
    entry: 'test/fixtures/provider/fake-provider.ts',
    out: 'test/fixtures/provider/dist/terraform-provider-fake.mjs',
  });
  return built;
}
