import { describe, expect, it } from 'vitest';
import type { DomainEvent } from './domain-events.js';
import { PullRecorder } from './pull-recorder.js';

function recorder(wanted: boolean) {
  const written: DomainEvent[][] = [];
  const store = { appendEvents: async (events: readonly DomainEvent[]) => void written.push([...events]), anyPolicyWants: async () => wanted };
  const r = new PullRecorder(store, { flushMs: 60_000, batchSize: 1000, maxBuffered: 10, refreshMs: 60_000 }, () => undefined, () => undefined);
  return { r, written };
}
const pull = (operator: string, reference: string, at: number) => ({ repository: 'team/llm', reference, digest: 'sha256:aa', mediaType: 'm', operator, at: new Date(at) });

describe('pull recorder', () => {
  it('turns a window of pulls into one event per manifest, tag and puller, with a count', async () => {
    const { r, written } = recorder(true);
    await r.refresh();
    for (let i = 0; i < 1000; i++) r.observer(pull('node', 'v1', 1000 + i));
    r.observer(pull('ci', 'v1', 5000));
    r.observer(pull('node', 'sha256:aa', 6000));
    await r.flush();
    expect(written).toHaveLength(1);
    const events = written[0]!.map((e) => ({ operator: e.operator, ...e.data }));
    expect(events).toEqual([
      { operator: 'node', repository: 'team/llm', digest: 'sha256:aa', mediaType: 'm', tag: 'v1', count: 1000, firstAt: new Date(1000).toISOString(), lastAt: new Date(1999).toISOString() },
      { operator: 'ci', repository: 'team/llm', digest: 'sha256:aa', mediaType: 'm', tag: 'v1', count: 1, firstAt: new Date(5000).toISOString(), lastAt: new Date(5000).toISOString() },
      { operator: 'node', repository: 'team/llm', digest: 'sha256:aa', mediaType: 'm', count: 1, firstAt: new Date(6000).toISOString(), lastAt: new Date(6000).toISOString() },
    ]);
    expect(written[0]!.every((e) => e.type === 'artifact.pulled' && e.project === 'team')).toBe(true);
    await r.flush();
    expect(written).toHaveLength(1);
  });

  it('records nothing while no policy wants pull events', async () => {
    const { r, written } = recorder(false);
    await r.refresh();
    r.observer(pull('node', 'v1', 1));
    await r.flush();
    expect(written).toEqual([]);
  });

  it('keeps events when the database fails and writes them on the next flush', async () => {
    let fail = true;
    const written: DomainEvent[] = [];
    const store = { appendEvents: async (events: readonly DomainEvent[]) => { if (fail) throw new Error('down'); written.push(...events); }, anyPolicyWants: async () => true };
    const errors: unknown[] = [];
    const r = new PullRecorder(store, { flushMs: 60_000, batchSize: 1000, maxBuffered: 10, refreshMs: 60_000 }, () => undefined, (e) => errors.push(e));
    await r.refresh();
    r.observer(pull('a', 'v1', 1));
    await r.flush();
    expect(errors).toHaveLength(1);
    fail = false;
    r.observer(pull('b', 'v1', 2));
    await r.flush();
    expect(written.map((e) => e.operator)).toEqual(['a', 'b']);
  });
});
