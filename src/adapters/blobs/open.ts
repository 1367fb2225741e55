// Opens the blob store named by the configuration: the filesystem directory of the embedded default,
// or an S3 bucket whose upload bookkeeping lives in the shared database (the UploadLedger).
import type { StorageConfig } from '../../config/load.js';
import type { BlobStore } from '../../core/ports/blob-store.js';
import type { UploadLedger } from '../../core/ports/upload-ledger.js';
import { createFilesystemBlobStore } from './filesystem.js';

/** What a driver may need besides its configuration. */
export interface BlobStoreDeps {
  /** Upload bookkeeping in the database (used by S3). */
  uploadLedger: UploadLedger;
}

/** Creates the configured BlobStore. */
export async function createBlobStore(config: StorageConfig, deps: BlobStoreDeps): Promise<BlobStore> {
  if (config.driver === 'filesystem') return createFilesystemBlobStore({ root: config.path, fsync: config.fsync });
  // Loaded only when configured: the AWS SDK costs the embedded default tens of MiB of memory.
  const { createS3BlobStore } = await import('./s3.js');
  return createS3BlobStore({
    bucket: config.bucket,
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    prefix: config.prefix,
    redirectSeconds: config.redirect ? config.redirectTtlSeconds : undefined,
    partBytes: config.partSizeMiB * 1024 * 1024,
    ledger: deps.uploadLedger,
  });
}
