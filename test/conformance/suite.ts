// Berth's black-box OCI Distribution conformance suite, written from the v1.1.1 spec text, with the
// categories of the official suite (pull, push, content discovery, content management) plus bad input.
// One definition runs against any registry: Berth must pass every check; the reference registry runs
// the same checks with a list of expected failures, each asserted to really fail so the list stays honest.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#conformance
import { afterAll, beforeAll, describe, it } from 'vitest';
import { registerBadInput } from './bad-input.js';
import { OciClient } from './client.js';
import { registerDiscovery } from './discovery.js';
import { registerManagement } from './management.js';
import { registerPull } from './pull.js';
import { registerPushBlobs } from './push-blobs.js';
import { registerPushManifests } from './push-manifests.js';

/** A running registry under test. */
export interface RunningTarget {
  url: string;
  dispose(): Promise<void>;
}

/** A registry the suite can run against. */
export interface ConformanceTarget {
  /** Shown in the top-level describe. */
  name: string;
  start(): Promise<RunningTarget>;
  /** Check name -> observed reason, for checks this target is known to fail. */
  expectedFailures?: Readonly<Record<string, string>>;
  /** Require every 4xx body to be the OCI envelope (the spec only constrains JSON bodies). */
  strictErrorBodies?: boolean;
  /** The most items the target returns in one page, when known; paging checks push more than this. */
  maxPageSize?: number;
  /** Skip the whole run (for example when the target's binary is missing). */
  skip?: boolean;
}

/** What each category module receives. */
export interface SuiteContext {
  /** Registers one check; it runs as a normal test, or as an expected failure for this target. */
  check(name: string, fn: (client: OciClient) => Promise<void>): void;
  /** The target's options. */
  target: ConformanceTarget;
}

/** Registers the whole suite against `target`. */
export function conformanceSuite(target: ConformanceTarget): void {
  describe.skipIf(target.skip ?? false)(`OCI conformance: ${target.name}`, () => {
    let running: RunningTarget | undefined;
    let client: OciClient | undefined;
    beforeAll(async () => {
      running = await target.start();
      client = new OciClient(running.url, target.strictErrorBodies ?? false);
    });
    afterAll(async () => running?.dispose());

    const names = new Set<string>();
    const expected = target.expectedFailures ?? {};
    const ctx: SuiteContext = {
      target,
      check(name, fn) {
        if (names.has(name)) throw new Error(`duplicate conformance check name: ${name}`);
        names.add(name);
        const body = () => fn(client!);
        if (Object.hasOwn(expected, name)) it.fails(`${name} [expected failure: ${expected[name]}]`, body);
        else it(name, body);
      },
    };

    describe('pull', () => registerPull(ctx));
    describe('push: blobs', () => registerPushBlobs(ctx));
    describe('push: manifests', () => registerPushManifests(ctx));
    describe('content discovery', () => registerDiscovery(ctx));
    describe('content management', () => registerManagement(ctx));
    describe('bad input', () => registerBadInput(ctx));

    it('the expected-failure list names only existing checks', () => {
      const unknown = Object.keys(expected).filter((name) => !names.has(name));
      if (unknown.length > 0) throw new Error(`unknown checks in the expected-failure list: ${unknown.join('; ')}`);
    });
  });
}
