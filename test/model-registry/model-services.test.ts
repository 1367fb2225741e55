// The model services in process, on SQLite and on PostgreSQL: ModelPack manifests pushed through the
// RegistryService register versions (and never rebind one), aliases move and roll back, `resolveAlias`
// answers the digest for other surfaces, lineage reads both ways, and archive and delete behave,
// with the same code against both drivers.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFilesystemBlobStore } from '../../src/adapters/blobs/filesystem.js';
import { openStores, type DatabaseConfig, type SqlStores } from '../../src/adapters/metadata/open.js';
import { systemAccess } from '../../src/core/models/model-access.js';
import { ModelAliases } from '../../src/core/models/model-aliases.js';
import { ModelLineage } from '../../src/core/models/model-lineage.js';
import { ModelService } from '../../src/core/models/model-service.js';
import { MetadataService } from '../../src/core/models/metadata-service.js';
import { PushRegistration } from '../../src/core/models/push-registration.js';
import { buildModelConfig, buildModelManifest } from '../../src/core/modelpack/model-config.js';
import { modelLayerMediaType } from '../../src/core/modelpack/media-types.js';
import { RegistryService } from '../../src/core/oci/registry.js';
import type { BlobStore } from '../../src/core/ports/blob-store.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { createTestDatabase, postgresAvailable } from '../support/postgres.js';

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const postgresUp = await postgresAvailable();

interface World {
  registry: RegistryService;
  models: ModelService;
  aliases: ModelAliases;
  lineage: ModelLineage;
  metadata: MetadataService;
  push(repository: string, tag: string, readme: string): Promise<string>;
  dispose(): Promise<void>;
}

async function world(database: (dir: string) => Promise<{ config: DatabaseConfig; drop(): Promise<void> }>): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-models-'));
  const db = await database(dir);
  const stores: SqlStores = await openStores(db.config);
  const blobs: BlobStore = await createFilesystemBlobStore({ root: join(dir, 'blobs'), fsync: false });
  const registry = new RegistryService(blobs, stores.registry, systemClock, { maxManifestBytes: 4 << 20, maxPageSize: 100 });
  registry.onEvent(new PushRegistration(stores.models, blobs, systemClock, 'berth.example:5050').listener);
  const models = new ModelService(stores.models, registry, blobs, systemClock);
  const blob = async (repository: string, bytes: Uint8Array) => {
    const digest = sha(bytes);
    await blobs.put(digest, bytes);
    await stores.registry.linkBlob(repository, digest, bytes.length);
    return { digest, size: bytes.length };
  };
  return {
    registry,
    models,
    aliases: new ModelAliases(models),
    lineage: new ModelLineage(models),
    metadata: new MetadataService(stores.models, registry, systemClock, ['berth.example:5050']),
    async push(repository, tag, readme) {
      const weights = await blob(repository, new TextEncoder().encode(`weights of ${repository}`));
      const card = await blob(repository, new TextEncoder().encode(readme));
      const layers = [{ ...weights, kind: 'weight' as const, path: 'model.safetensors' }, { ...card, kind: 'doc' as const, path: 'README.md' }];
      const config = new TextEncoder().encode(JSON.stringify(buildModelConfig({ name: repository, version: tag, createdAt: new Date(0), layers, facts: { format: 'safetensors', architecture: 'TinyNet' } })));
      const configBlob = await blob(repository, config);
      const manifest = buildModelManifest(configBlob, layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: modelLayerMediaType(l.kind), path: l.path })));
      return (await registry.putManifest(repository, tag, new TextEncoder().encode(JSON.stringify(manifest)), manifest.mediaType)).digest;
    },
    async dispose() {
      await stores.close();
      await blobs.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const drivers: Array<[string, (dir: string) => Promise<{ config: DatabaseConfig; drop(): Promise<void> }>, boolean]> = [
  ['sqlite', async (dir) => ({ config: { driver: 'sqlite', path: join(dir, 'berth.db'), synchronous: 'normal' }, drop: async () => undefined }), true],
  ['postgres', async () => {
    const db = await createTestDatabase();
    return { config: { driver: 'postgres', url: db.url, poolSize: 4 }, drop: () => db.drop() };
  }, postgresUp],
];

for (const [driver, database, available] of drivers) {
  describe.skipIf(!available)(`model services on ${driver}`, () => {
    let w: World;
    const admin = systemAccess('ci');
    beforeEach(async () => {
      w = await world(database);
    });
    afterEach(async () => {
      await w.dispose();
    });

    it('registers pushes, keeps versions bound to their digest and resolves aliases', async () => {
      const d1 = await w.push('llm/tiny', 'v1', '# Tiny\nfirst');
      const d2 = await w.push('llm/tiny', 'v1', '# Tiny\nsecond');
      await w.push('llm/tiny', 'v1', '# Tiny\nsecond');
      const model = await w.models.model(admin, 'llm/tiny');
      const versions = await w.models.versions(model);
      expect(versions.map((v) => [v.version.name, v.binding?.digest, v.artifacts[0]?.fields.uri])).toEqual([
        ['v1', d1, `oci://berth.example:5050/llm/tiny@${d1}`],
        [`v1-${d2.slice(7, 19)}`, d2, `oci://berth.example:5050/llm/tiny@${d2}`],
      ]);
      expect((await w.models.card(admin, 'llm/tiny', 'v1')).text).toBe('# Tiny\nfirst');
      expect(model.fields.readme).toBe('# Tiny\nfirst');

      await w.aliases.set(admin, 'llm/tiny', 'production', 'v1');
      expect(await w.models.resolveAlias('llm/tiny', 'production')).toBe(d1);
      await w.aliases.set(admin, 'llm/tiny', 'production', `v1-${d2.slice(7, 19)}`, 'v1');
      expect(await w.models.resolveAlias('llm/tiny', 'production')).toBe(d2);
      await expect(w.aliases.set(admin, 'llm/tiny', 'production', 'v1', 'v1')).rejects.toMatchObject({ code: 'CONFLICT' });
      const back = await w.aliases.rollback(admin, 'llm/tiny', 'production');
      expect(back).toMatchObject({ from: `v1-${d2.slice(7, 19)}`, to: 'v1', reason: 'rollback', actor: 'ci' });
      expect(await w.models.resolveAlias('llm/tiny', 'production')).toBe(d1);
      expect(await w.models.resolveAlias('llm/tiny', 'staging')).toBeNull();
      expect(await w.models.resolveAlias('llm/none', 'production')).toBeNull();
      expect((await w.aliases.history(admin, 'llm/tiny', 'production', 10)).map((e) => [e.from, e.to])).toEqual([
        [`v1-${d2.slice(7, 19)}`, 'v1'], ['v1', `v1-${d2.slice(7, 19)}`], [null, 'v1'],
      ]);

      await w.registry.deleteManifest('llm/tiny', d1);
      expect(await w.models.resolveAlias('llm/tiny', 'production')).toBeNull();
      expect((await w.models.version(admin, 'llm/tiny', 'v1')).version.state).toBe('ARCHIVED');
    });

    it('answers lineage both ways and deletes versions and models with their manifests', async () => {
      await w.push('llm/base', 'v1', 'base');
      const tuned = await w.push('llm/chat', 'v1', 'chat');
      const dataset = await w.metadata.create(admin, 'dataset-artifact', { name: 'llm/corpus', fields: { uri: 's3://corpus' } });
      await w.lineage.add(admin, 'llm/chat', 'v1', 'fine-tuned-from', { model: 'llm/base', version: 'v1' });
      await w.lineage.add(admin, 'llm/chat', 'v1', 'trained-on', { id: dataset.id });
      await expect(w.lineage.add(admin, 'llm/chat', 'v1', 'produced-by', { id: dataset.id })).rejects.toMatchObject({ code: 'INVALID' });
      expect((await w.lineage.ofVersion(admin, 'llm/chat', 'v1')).upstream.map((l) => l.entity.name)).toEqual(['v1', 'llm/corpus']);
      expect((await w.lineage.ofVersion(admin, 'llm/base', 'v1')).downstream.map((l) => [l.edge.relation, l.entity.parentId !== null])).toEqual([['fine-tuned-from', true]]);
      expect((await w.lineage.ofEntity(admin, dataset.id)).downstream).toHaveLength(1);

      await w.models.setArchived(admin, 'llm/chat', null, true);
      expect((await w.models.listModels(admin, { limit: 10 })).map((m) => m.name)).toEqual(['llm/base']);
      expect((await w.models.listModels(admin, { limit: 10, state: 'all', text: 'chat' })).map((m) => m.name)).toEqual(['llm/chat']);

      expect(await w.models.deleteVersion(admin, 'llm/chat', 'v1')).toEqual({ deletedManifests: [`llm/chat@${tuned}`] });
      await expect(w.registry.statManifest('llm/chat', tuned)).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
      expect((await w.lineage.ofVersion(admin, 'llm/base', 'v1')).downstream).toEqual([]);
      expect((await w.lineage.ofEntity(admin, dataset.id)).downstream).toEqual([]);
      await w.models.deleteModel(admin, 'llm/base');
      await expect(w.models.model(admin, 'llm/base')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(w.registry.statManifest('llm/base', 'v1')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    });
  });
}
