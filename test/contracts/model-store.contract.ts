// The ModelStore contract: every relational driver (SQLite, PostgreSQL) must pass these checks, from
// typed custom properties and name scopes to filter queries, keyset paging, alias moves with history,
// lineage both ways, bindings, cards, search and cascading deletes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Entity, EntityKind } from '../../src/core/models/entity-kinds.js';
import { compileFilter } from '../../src/core/models/filter-binding.js';
import type { ModelStore, NewEntity } from '../../src/core/ports/model-store.js';

/** A fresh, empty store and how to dispose of it. */
export interface ModelStoreHarness {
  store: ModelStore;
  dispose(): Promise<void>;
}

const T0 = 1_700_000_000_000;

function entity(kind: EntityKind, name: string | null, extra: Partial<NewEntity> = {}): NewEntity {
  return { kind, name, externalId: null, description: null, project: 'llm', parentId: null, runId: null, state: null, fields: {}, customProperties: {}, createdAt: T0, ...extra };
}

/** Registers the contract suite for a driver. */
export function modelStoreContract(driver: string, create: () => Promise<ModelStoreHarness>): void {
  describe(`ModelStore contract: ${driver}`, () => {
    let h: ModelStoreHarness;
    let s: ModelStore;
    beforeEach(async () => {
      h = await create();
      s = h.store;
    });
    afterEach(async () => {
      await h.dispose();
    });

    const list = (kinds: EntityKind[], filter?: string, extra: Partial<Parameters<ModelStore['listEntities']>[0]> = {}) =>
      s.listEntities({ kinds, projects: null, filter: compileFilter(filter, kinds), orderBy: 'ID', sortOrder: 'ASC', limit: 100, ...extra });
    const names = (items: Entity[]) => items.map((e) => e.name);

    it('stores built-in fields and every custom property type exactly', async () => {
      const rm = await s.createEntity(entity('registered-model', 'llm/tiny', {
        state: 'LIVE',
        description: 'a tiny model',
        fields: { owner: 'ann', language: ['en', 'fr'] },
        customProperties: {
          framework: { metadataType: 'MetadataStringValue', string_value: 'pytorch' },
          epochs: { metadataType: 'MetadataIntValue', int_value: '3' },
          accuracy: { metadataType: 'MetadataDoubleValue', double_value: 0.93 },
          approved: { metadataType: 'MetadataBoolValue', bool_value: true },
          blob: { metadataType: 'MetadataStructValue', struct_value: 'eyJhIjoxfQ==' },
          proto: { metadataType: 'MetadataProtoValue', type: 'type.googleapis.com/x', proto_value: 'AAE=' },
        },
      }));
      expect(rm.id).toBeGreaterThan(0);
      const back = await s.getEntity(rm.id);
      expect(back).toEqual(rm);
      expect(back).toMatchObject({ kind: 'registered-model', name: 'llm/tiny', project: 'llm', state: 'LIVE', description: 'a tiny model', createdAt: T0, updatedAt: T0 });
      expect(back?.fields).toEqual({ owner: 'ann', language: ['en', 'fr'] });
      expect(back?.customProperties.epochs).toEqual({ metadataType: 'MetadataIntValue', int_value: '3' });
      expect(back?.customProperties.approved).toEqual({ metadataType: 'MetadataBoolValue', bool_value: true });
      expect(back?.customProperties.proto).toEqual({ metadataType: 'MetadataProtoValue', type: 'type.googleapis.com/x', proto_value: 'AAE=' });
      const metric = await s.createEntity(entity('metric', 'loss', { fields: { value: 2, step: 3, timestamp: T0 } }));
      expect((await s.getEntity(metric.id))?.fields).toEqual({ value: 2, step: 3, timestamp: T0 });
      expect(await s.getEntity(999_999)).toBeNull();
    });

    it('keeps names unique per kind within their parent, and externalIds unique everywhere', async () => {
      const a = await s.createEntity(entity('registered-model', 'llm/a'));
      const b = await s.createEntity(entity('registered-model', 'llm/b', { externalId: 'ext-1' }));
      await expect(s.createEntity(entity('registered-model', 'llm/a'))).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(s.createEntity(entity('experiment', 'x', { externalId: 'ext-1' }))).rejects.toMatchObject({ code: 'CONFLICT' });
      await s.createEntity(entity('experiment', 'llm/a'));
      await s.createEntity(entity('model-version', 'v1', { parentId: a.id }));
      await s.createEntity(entity('model-version', 'v1', { parentId: b.id }));
      await expect(s.createEntity(entity('model-version', 'v1', { parentId: a.id }))).rejects.toMatchObject({ code: 'CONFLICT' });
      await s.createEntity(entity('serve-model', null, { parentId: a.id }));
      await s.createEntity(entity('serve-model', null, { parentId: a.id }));
      await s.createEntity(entity('metric-history', 'loss', { runId: a.id }));
      await s.createEntity(entity('metric-history', 'loss', { runId: a.id }));
      await expect(s.updateEntity(a.id, { externalId: 'ext-1', updatedAt: T0 + 1 })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await s.getEntity(a.id))?.externalId).toBeNull();
    });

    it('updates fields, state and parents, and replaces custom properties as a whole', async () => {
      const rm = await s.createEntity(entity('registered-model', 'llm/a'));
      const art = await s.createEntity(entity('model-artifact', 'weights', { state: 'UNKNOWN', fields: { uri: 's3://a', modelFormatName: 'onnx' }, customProperties: { k: { metadataType: 'MetadataStringValue', string_value: 'v' } } }));
      const v = await s.createEntity(entity('model-version', 'v1', { parentId: rm.id }));
      const updated = await s.updateEntity(art.id, {
        state: 'LIVE', parentId: v.id, fields: { uri: 'oci://b', modelFormatName: null, storageKey: 'secret' },
        customProperties: { n: { metadataType: 'MetadataIntValue', int_value: '-7' } }, updatedAt: T0 + 5,
      });
      expect(updated).toMatchObject({ state: 'LIVE', parentId: v.id, updatedAt: T0 + 5, createdAt: T0, fields: { uri: 'oci://b', storageKey: 'secret' } });
      expect(updated?.fields.modelFormatName).toBeUndefined();
      expect(updated?.customProperties).toEqual({ n: { metadataType: 'MetadataIntValue', int_value: '-7' } });
      await s.createEntity(entity('model-artifact', 'other', { parentId: v.id }));
      const dup = await s.createEntity(entity('model-artifact', 'weights'));
      await expect(s.updateEntity(dup.id, { parentId: v.id, updatedAt: T0 })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await s.updateEntity(424242, { updatedAt: T0 })).toBeNull();
    });

    it('lists by kind, parent, run, name, externalId and project', async () => {
      const a = await s.createEntity(entity('registered-model', 'llm/a'));
      await s.createEntity(entity('registered-model', 'cv/b', { project: 'cv', externalId: 'B' }));
      const v1 = await s.createEntity(entity('model-version', 'v1', { parentId: a.id }));
      await s.createEntity(entity('model-version', 'v2', { parentId: a.id }));
      await s.createEntity(entity('doc-artifact', 'readme', { parentId: v1.id }));
      await s.createEntity(entity('metric', 'acc', { runId: a.id }));
      expect(names(await list(['registered-model']))).toEqual(['llm/a', 'cv/b']);
      expect(names(await list(['registered-model'], undefined, { projects: ['cv'] }))).toEqual(['cv/b']);
      expect(await list(['registered-model'], undefined, { projects: [] })).toEqual([]);
      expect(names(await list(['model-version'], undefined, { parentId: a.id }))).toEqual(['v1', 'v2']);
      expect(names(await list(['model-version'], undefined, { name: 'v2' }))).toEqual(['v2']);
      expect(names(await list(['registered-model'], undefined, { externalId: 'B' }))).toEqual(['cv/b']);
      expect(names(await list(['doc-artifact', 'metric']))).toEqual(['readme', 'acc']);
      expect(names(await list(['metric', 'doc-artifact'], undefined, { runId: a.id }))).toEqual(['acc']);
    });

    it('pages by id, creation and update time in both directions without repeats', async () => {
      const times = [5, 1, 3, 3, 2];
      for (const [i, t] of times.entries()) await s.createEntity(entity('experiment', `e${i}`, { createdAt: T0 + t }));
      const all: string[] = [];
      let after: { id: number; value: number } | undefined;
      for (;;) {
        const page = await list(['experiment'], undefined, { orderBy: 'CREATE_TIME', sortOrder: 'DESC', limit: 2, after });
        all.push(...names(page).map(String));
        if (page.length < 2) break;
        const last = page[page.length - 1]!;
        after = { id: last.id, value: last.createdAt };
      }
      expect(all).toEqual(['e0', 'e3', 'e2', 'e4', 'e1']);
      const firstTwo = await list(['experiment'], undefined, { limit: 2 });
      expect(names(await list(['experiment'], undefined, { after: { id: firstTwo[1]!.id, value: firstTwo[1]!.id } }))).toEqual(['e2', 'e3', 'e4']);
      const desc = await list(['experiment'], undefined, { sortOrder: 'DESC', after: { id: firstTwo[1]!.id, value: firstTwo[1]!.id } });
      expect(names(desc)).toEqual(['e0']);
    });

    describe('filter queries', () => {
      beforeEach(async () => {
        const props = (framework: string, accuracy: number, epochs: string, approved: boolean) => ({
          framework: { metadataType: 'MetadataStringValue' as const, string_value: framework },
          accuracy: { metadataType: 'MetadataDoubleValue' as const, double_value: accuracy },
          epochs: { metadataType: 'MetadataIntValue' as const, int_value: epochs },
          approved: { metadataType: 'MetadataBoolValue' as const, bool_value: approved },
        });
        await s.createEntity(entity('registered-model', 'model-a', { state: 'LIVE', customProperties: { ...props('pytorch', 0.95, '3', true), 'mlflow.source.type': { metadataType: 'MetadataStringValue', string_value: 'notebook' } } }));
        await s.createEntity(entity('registered-model', 'Model-B', { state: 'ARCHIVED', createdAt: T0 + 10, customProperties: props('tensorflow', 0.8, '10', false) }));
        await s.createEntity(entity('registered-model', 'a_b', { state: 'LIVE', externalId: '10' }));
        await s.createEntity(entity('registered-model', 'axb*', { state: 'LIVE', description: "it's" }));
      });
      const q = async (filter: string) => names(await list(['registered-model'], filter));

      it('compares names, states, ids and times', async () => {
        expect(await q('name = "model-a"')).toEqual(['model-a']);
        expect(await q("name != 'model-a' AND state = 'LIVE'")).toEqual(['a_b', 'axb*']);
        expect(await q('name <> "model-a"')).toEqual(['Model-B', 'a_b', 'axb*']);
        expect(await q('(name = "model-a" OR name = "Model-B") AND state = "LIVE"')).toEqual(['model-a']);
        expect(await q('name = "model-a" OR name = "Model-B" AND state = "LIVE"')).toEqual(['model-a']);
        expect(await q('id > 2')).toEqual(['a_b', 'axb*']);
        expect(await q('id = "1"')).toEqual(['model-a']);
        expect(await q(`createTimeSinceEpoch > ${T0}`)).toEqual(['Model-B']);
        expect(await q('createTimeSinceEpoch >= 1.7e12')).toHaveLength(4);
        expect(await q('externalId = 10')).toEqual(['a_b']);
        expect(await q('name IN ("a_b", "model-a", "none")')).toEqual(['model-a', 'a_b']);
        expect(await q('name IN ()')).toEqual([]);
        expect(await q('description = "it\'s"')).toEqual(['axb*']);
        expect(await q("description = 'it''s'")).toEqual(['axb*']);
      });

      it('matches LIKE case-sensitively and ILIKE case-insensitively, with escapes and literal glob characters', async () => {
        expect(await q('name LIKE "model%"')).toEqual(['model-a']);
        expect(await q('name ILIKE "MODEL%"')).toEqual(['model-a', 'Model-B']);
        expect(await q('name LIKE "a_b"')).toEqual(['a_b']);
        expect(await q('name LIKE "a\\\\_b"')).toEqual(['a_b']);
        expect(await q('name LIKE "a%"')).toEqual(['a_b', 'axb*']);
        expect(await q('name LIKE "%*"')).toEqual(['axb*']);
        expect(await q('name LIKE "[a]%"')).toEqual([]);
        expect(await q('name ILIKE "%B"')).toEqual(['Model-B', 'a_b']);
      });

      it('reads typed custom properties by name, with an explicit type and under customProperties', async () => {
        expect(await q('accuracy > 0.9')).toEqual(['model-a']);
        expect(await q('accuracy.double_value > 0.9')).toEqual(['model-a']);
        expect(await q('customProperties.accuracy.double_value > 0.9')).toEqual(['model-a']);
        expect(await q('accuracy.int_value > 0')).toEqual([]);
        expect(await q('epochs = 10')).toEqual(['Model-B']);
        expect(await q('epochs.int_value >= 3')).toEqual(['model-a', 'Model-B']);
        expect(await q('epochs > 2.5')).toEqual(['model-a', 'Model-B']);
        expect(await q('approved = true')).toEqual(['model-a']);
        expect(await q('approved.bool_value = FALSE')).toEqual(['Model-B']);
        expect(await q('framework = "pytorch" OR framework.string_value = "tensorflow"')).toEqual(['model-a', 'Model-B']);
        expect(await q('framework ILIKE "PY%"')).toEqual(['model-a']);
        expect(await q('framework IN ("jax", "tensorflow")')).toEqual(['Model-B']);
        expect(await q('`mlflow.source.type` = "notebook"')).toEqual(['model-a']);
        expect(await q('mlflow.source.type = "notebook"')).toEqual(['model-a']);
        expect(await q('missing = "x"')).toEqual([]);
        expect(await q('framework != "pytorch"')).toEqual(['Model-B']);
      });

      it('treats quotes and SQL in values as data', async () => {
        for (const hostile of ["x' OR '1'='1", 'x" OR 1=1 --', "'; DROP TABLE model_entities; --", '%\' OR name LIKE \'%']) {
          const quoted = `"${hostile.replace(/["\\]/g, (c) => `\\${c}`)}"`;
          expect(await q(`name = ${quoted}`)).toEqual([]);
          expect(await q(`framework = ${quoted}`)).toEqual([]);
          expect(await q(`\`${hostile.replace(/[`\\]/g, (c) => `\\${c}`)}\` = "x"`)).toEqual([]);
        }
        expect(await q('name LIKE "%"')).toHaveLength(4);
      });

      it('filters built-in fields of artifacts, metrics and versions', async () => {
        const rm = (await list(['registered-model'], 'name = "model-a"'))[0]!;
        const v = await s.createEntity(entity('model-version', 'v1', { parentId: rm.id, fields: { author: 'ann' } }));
        await s.createEntity(entity('model-artifact', 'w', { parentId: v.id, fields: { uri: 'oci://h/llm/a@sha256:1', modelFormatName: 'gguf' } }));
        await s.createEntity(entity('metric', 'loss', { fields: { value: 0.25, step: 2 } }));
        await s.createEntity(entity('parameter', 'lr', { fields: { value: '0.01', parameterType: 'number' } }));
        expect(names(await list(['model-version'], `registeredModelId = ${rm.id} AND author = "ann"`))).toEqual(['v1']);
        expect(names(await list(['model-artifact'], 'uri LIKE "oci://%" AND modelFormatName = "gguf"'))).toEqual(['w']);
        expect(names(await list(['model-artifact'], `modelVersionId = ${v.id}`))).toEqual(['w']);
        const artifacts: EntityKind[] = ['model-artifact', 'doc-artifact', 'dataset-artifact', 'metric', 'parameter'];
        expect(names(await list(artifacts, 'value < 1'))).toEqual(['loss']);
        expect(names(await list(artifacts, 'value = "0.01"'))).toEqual(['lr']);
        expect(names(await list(artifacts, 'step >= 2'))).toEqual(['loss']);
      });
    });

    it('binds a version to one manifest, and a manifest to one version', async () => {
      const rm = await s.createEntity(entity('registered-model', 'llm/a'));
      const v = await s.createEntity(entity('model-version', 'v1', { parentId: rm.id }));
      const v2 = await s.createEntity(entity('model-version', 'v2', { parentId: rm.id }));
      const b = { versionId: v.id, modelId: rm.id, artifactId: 99, repository: 'llm/a', digest: 'sha256:aa', tag: 'v1', createdAt: T0 };
      await s.putBinding(b);
      expect(await s.getBinding(v.id)).toEqual(b);
      expect(await s.findBinding('llm/a', 'sha256:aa')).toEqual(b);
      expect(await s.findBindings('llm/a', ['sha256:aa', 'sha256:zz'])).toEqual([b]);
      expect(await s.findBindings('llm/b', ['sha256:aa'])).toEqual([]);
      expect(await s.findBindings('llm/a', [])).toEqual([]);
      await expect(s.putBinding({ ...b, digest: 'sha256:bb' })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(s.putBinding({ ...b, versionId: v2.id })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await s.getBinding(v.id)).toEqual(b);
      expect(await s.listBindings(rm.id)).toEqual([b]);
    });

    it('moves aliases atomically and keeps their history, newest first', async () => {
      const rm = await s.createEntity(entity('registered-model', 'llm/a'));
      const [v1, v2] = [await s.createEntity(entity('model-version', 'v1', { parentId: rm.id })), await s.createEntity(entity('model-version', 'v2', { parentId: rm.id }))];
      const e1 = await s.moveAlias({ modelId: rm.id, alias: 'production', versionId: v1.id, actor: 'ann', at: T0 });
      expect(e1).toMatchObject({ fromVersionId: null, toVersionId: v1.id, actor: 'ann', reason: null });
      await s.moveAlias({ modelId: rm.id, alias: 'production', versionId: v2.id, expectedVersionId: v1.id, actor: 'bob', at: T0 + 1 });
      await expect(s.moveAlias({ modelId: rm.id, alias: 'production', versionId: v1.id, expectedVersionId: v1.id, actor: 'eve', at: T0 + 2 })).rejects.toMatchObject({ code: 'CONFLICT' });
      await s.moveAlias({ modelId: rm.id, alias: 'staging', versionId: v2.id, actor: 'ann', at: T0 + 3 });
      await s.moveAlias({ modelId: rm.id, alias: 'production', versionId: v1.id, actor: 'bob', at: T0 + 4, reason: 'rollback' });
      expect(await s.getAlias(rm.id, 'production')).toEqual({ modelId: rm.id, alias: 'production', versionId: v1.id, updatedAt: T0 + 4, updatedBy: 'bob' });
      expect((await s.listAliases(rm.id)).map((a) => [a.alias, a.versionId])).toEqual([['production', v1.id], ['staging', v2.id]]);
      const history = await s.aliasHistory(rm.id, 'production', 10);
      expect(history.map((e) => [e.fromVersionId, e.toVersionId, e.actor, e.reason])).toEqual([[v2.id, v1.id, 'bob', 'rollback'], [v1.id, v2.id, 'bob', null], [null, v1.id, 'ann', null]]);
      expect(await s.aliasHistory(rm.id, null, 2)).toHaveLength(2);
      await s.moveAlias({ modelId: rm.id, alias: 'staging', versionId: null, actor: 'ann', at: T0 + 5 });
      expect(await s.getAlias(rm.id, 'staging')).toBeNull();
      expect((await s.aliasHistory(rm.id, 'staging', 10))[0]).toMatchObject({ fromVersionId: v2.id, toVersionId: null });
    });

    it('records lineage and answers it both ways', async () => {
      const rm = await s.createEntity(entity('registered-model', 'llm/a'));
      const base = await s.createEntity(entity('model-version', 'base', { parentId: rm.id }));
      const tuned = await s.createEntity(entity('model-version', 'tuned', { parentId: rm.id }));
      const q4 = await s.createEntity(entity('model-version', 'q4', { parentId: rm.id }));
      const data = await s.createEntity(entity('dataset-artifact', 'corpus'));
      const e1 = await s.addLineage({ fromId: tuned.id, relation: 'fine-tuned-from', toId: base.id, createdAt: T0, createdBy: 'ann' });
      await s.addLineage({ fromId: q4.id, relation: 'quantized-from', toId: tuned.id, createdAt: T0, createdBy: 'ann' });
      await s.addLineage({ fromId: tuned.id, relation: 'trained-on', toId: data.id, createdAt: T0, createdBy: 'ann' });
      await expect(s.addLineage({ fromId: tuned.id, relation: 'fine-tuned-from', toId: base.id, createdAt: T0, createdBy: 'x' })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await s.listLineage({ fromId: tuned.id })).map((e) => [e.relation, e.toId])).toEqual([['fine-tuned-from', base.id], ['trained-on', data.id]]);
      expect((await s.listLineage({ toId: tuned.id })).map((e) => [e.fromId, e.relation])).toEqual([[q4.id, 'quantized-from']]);
      expect((await s.listLineage({ toId: data.id })).map((e) => e.fromId)).toEqual([tuned.id]);
      expect(await s.getLineage(e1.id)).toEqual(e1);
      expect(await s.removeLineage(e1.id)).toBe(true);
      expect(await s.removeLineage(e1.id)).toBe(false);
    });

    it('searches names, properties, versions and model cards, within projects and states', async () => {
      const a = await s.createEntity(entity('registered-model', 'llm/alpha', { state: 'LIVE', description: 'Chat model', customProperties: { license: { metadataType: 'MetadataStringValue', string_value: 'Apache-2.0' } } }));
      const b = await s.createEntity(entity('registered-model', 'cv/beta', { project: 'cv', state: 'ARCHIVED' }));
      const v = await s.createEntity(entity('model-version', 'v1-100%', { parentId: b.id, customProperties: { dataset: { metadataType: 'MetadataStringValue', string_value: 'imagenet' } } }));
      await s.putCard({ versionId: v.id, path: 'README.md', digest: 'sha256:c', text: '# Beta\nDetects zebras.' });
      const search = async (text: string, extra: { projects?: string[] | null; states?: string[] | null } = {}) =>
        names(await s.searchModels({ text, projects: extra.projects ?? null, states: extra.states ?? null, limit: 10 }));
      expect(await search('ALPHA')).toEqual(['llm/alpha']);
      expect(await search('chat')).toEqual(['llm/alpha']);
      expect(await search('apache')).toEqual(['llm/alpha']);
      expect(await search('license')).toEqual(['llm/alpha']);
      expect(await search('imagenet')).toEqual(['cv/beta']);
      expect(await search('zebras')).toEqual(['cv/beta']);
      expect(await search('100%')).toEqual(['cv/beta']);
      expect(await search('%')).toEqual(['cv/beta']);
      expect(await search('_')).toEqual([]);
      expect(await search('zebras', { projects: ['llm'] })).toEqual([]);
      expect(await search('a', { states: ['LIVE'] })).toEqual(['llm/alpha']);
      expect((await s.getCard(v.id))?.text).toContain('zebras');
      await s.putCard({ versionId: v.id, path: 'README.md', digest: 'sha256:d', text: 'new' });
      expect(await s.getCard(v.id)).toEqual({ versionId: v.id, path: 'README.md', digest: 'sha256:d', text: 'new' });
      expect(a.id).toBeGreaterThan(0);
    });

    it('deletes entities with their properties, bindings, cards, aliases and lineage', async () => {
      const rm = await s.createEntity(entity('registered-model', 'llm/a', { customProperties: { k: { metadataType: 'MetadataStringValue', string_value: 'v' } } }));
      const v1 = await s.createEntity(entity('model-version', 'v1', { parentId: rm.id }));
      const v2 = await s.createEntity(entity('model-version', 'v2', { parentId: rm.id }));
      await s.putBinding({ versionId: v1.id, modelId: rm.id, artifactId: 1, repository: 'llm/a', digest: 'sha256:1', tag: 'v1', createdAt: T0 });
      await s.putCard({ versionId: v1.id, path: 'README.md', digest: 'sha256:c', text: 'x' });
      await s.moveAlias({ modelId: rm.id, alias: 'prod', versionId: v1.id, actor: 'a', at: T0 });
      await s.moveAlias({ modelId: rm.id, alias: 'dev', versionId: v2.id, actor: 'a', at: T0 });
      await s.addLineage({ fromId: v2.id, relation: 'fine-tuned-from', toId: v1.id, createdAt: T0, createdBy: 'a' });
      await s.deleteEntities([v1.id]);
      expect(await s.getEntity(v1.id)).toBeNull();
      expect(await s.getBinding(v1.id)).toBeNull();
      expect(await s.findBinding('llm/a', 'sha256:1')).toBeNull();
      expect(await s.getCard(v1.id)).toBeNull();
      expect((await s.listAliases(rm.id)).map((a) => a.alias)).toEqual(['dev']);
      expect(await s.listLineage({ fromId: v2.id })).toEqual([]);
      await s.deleteEntities([rm.id, v2.id]);
      expect(await s.getEntities([rm.id, v2.id])).toEqual([]);
      expect(await s.aliasHistory(rm.id, null, 10)).toEqual([]);
      expect(await s.createEntity(entity('registered-model', 'llm/a'))).toMatchObject({ name: 'llm/a', customProperties: {} });
    });
  });
}
