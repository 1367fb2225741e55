// Scans each pushed model version for code that runs on load (pickles, PyTorch ZIP checkpoints) in the
// background, one version at a time, so pushes never wait for it. The verdict is kept on the version
// as custom properties (`berth.scan.status`: clean, suspicious, dangerous or error; `berth.scan.findings`;
// `berth.scan.files`; `berth.scan.scannedAt`) and announced as a `scan.completed` event in the same
// transaction. Only raw layers (ModelPack) are read; ORMB and KitOps tar layers are not unpacked.
import { domainEvent } from '../events/domain-events.js';
import type { Entity } from '../models/entity-kinds.js';
import { intValue, stringValue } from '../models/metadata-value.js';
import type { ModelPackManifest } from '../models/model-artifact-reader.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { ModelStore } from '../ports/model-store.js';
import { mayHoldPickles, scanModelFile, type FileScan, type ScanStatus } from './model-file-scan.js';

const RANK: Record<ScanStatus, number> = { clean: 0, error: 1, suspicious: 2, dangerous: 3 };

/** The verdict on a whole version: its worst file, and every file that was not clean. */
export interface VersionScan {
  status: ScanStatus;
  files: number;
  findings: FileScan[];
}

/** Queues and runs version scans. */
export class VersionScanner {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ModelStore,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Schedules a scan of `version` (of `model`, bound to `digest`) from its manifest's files. */
  enqueue(model: Entity, version: Entity, digest: string, manifest: ModelPackManifest): void {
    this.queue = this.queue.then(() => this.scanAndRecord(model, version.id, digest, manifest)).catch(this.onError);
  }

  /** Resolves once every scan queued so far has finished (for shutdown and tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Scans the files of a manifest. */
  async scan(manifest: ModelPackManifest): Promise<VersionScan> {
    const results: FileScan[] = [];
    for (const file of manifest.files.filter((f) => mayHoldPickles(f.path))) {
      const reader = await this.blobs.openReader(file.digest);
      try {
        const result = await scanModelFile(file.path, file.size, (into, position) => reader.read(into, position));
        if (result) results.push(result);
      } finally {
        await reader.close();
      }
    }
    const status = results.reduce<ScanStatus>((worst, r) => (RANK[r.status] > RANK[worst] ? r.status : worst), 'clean');
    return { status, files: results.length, findings: results.filter((r) => r.status !== 'clean') };
  }

  private async scanAndRecord(model: Entity, versionId: number, digest: string, manifest: ModelPackManifest): Promise<void> {
    const result = await this.scan(manifest);
    const version = await this.store.getEntity(versionId);
    if (!version) return;
    const at = this.clock.now();
    const findings = JSON.stringify(result.findings.map((f) => ({ path: f.path, status: f.status, findings: f.findings, ...(f.error ? { error: f.error } : {}) }))).slice(0, 16_000);
    const event = domainEvent('scan.completed', model.project, 'system', at, {
      model: model.name, modelId: model.id, version: version.name, versionId, digest, status: result.status, files: result.files, findings: result.findings.length,
    });
    await this.store.updateEntity(versionId, {
      customProperties: {
        ...version.customProperties,
        'berth.scan.status': stringValue(result.status),
        'berth.scan.files': intValue(result.files),
        'berth.scan.findings': stringValue(findings),
        'berth.scan.scannedAt': stringValue(at.toISOString()),
      },
      updatedAt: at.getTime(),
    }, [event]);
  }
}
