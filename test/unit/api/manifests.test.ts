// The boot check over the services' manifests: a kind left without a manifest, or an asynchronous kind without its
// workers or its recovery, stops the platform from starting, naming the kind.
import { expect } from 'chai';
import { registry } from '../../../api/src/generated/registry.js';
import { checkManifests, defineService, merged, type Manifest } from '../../../api/src/platform/manifest.js';
import { services } from '../../../api/src/services.js';

const without = (kind: string, change: (m: Manifest) => Manifest | undefined) =>
  services.map((s) =>
    defineService(
      s.name,
      s.manifests.flatMap((m) => (m.kind === kind ? (change(m) ?? []) : [m])),
    ),
  );

describe('service manifests', () => {
  it('accept the services as they are: one manifest per kind of the contract', () => {
    const manifests = checkManifests(services);
    expect(manifests.filter((m) => m.kind).map((m) => m.kind)).to.have.members(Object.keys(registry));
  });

  it('refuse an asynchronous kind with no workers, naming it', () => {
    expect(() => checkManifests(without('vpc', ({ workers: _w, ...m }) => m))).to.throw(
      /kind vpc is asynchronous but its manifest has no workers/,
    );
  });

  it('refuse an asynchronous kind with no crash recovery, naming it', () => {
    expect(() => checkManifests(without('instance', ({ recover: _r, ...m }) => m))).to.throw(
      /kind instance is asynchronous but its manifest has no recover/,
    );
  });

  it('refuse a kind with no manifest, and a kind with two', () => {
    expect(() => checkManifests(without('subnet', () => undefined))).to.throw(/kind subnet has 0 manifests/);
    const twice = services.map((s) =>
      defineService(
        s.name,
        s.manifests.flatMap((m) => (m.kind === 'token' ? [m, m] : [m])),
      ),
    );
    expect(() => checkManifests(twice)).to.throw(/kind token has 2 manifests/);
  });
});

describe('merged manifests', () => {
  it('refuse an operation claimed by two manifests, naming both', () => {
    const a = { name: 'a', kind: null, handlers: () => ({ getHealth: async () => ({ status: 200 }) }) } as Manifest;
    const b = { ...a, name: 'b' };
    expect(() => merged([a, b], (m) => m.handlers({} as never), 'operation')).to.throw(
      'operation getHealth is claimed by the manifests of a and b',
    );
  });
});
