// S3 BlobStore driver (AWS S3, MinIO, Ceph RGW; tested on s3rver): committed blobs are objects at
// <prefix>blobs/<alg>/<hex>, written whole (PutObject) or by a server-side copy of a finished upload,
// so a blob key never holds partial bytes. Uploads are multipart uploads plus tail objects under
// <prefix>uploads/<id>/, laid out as s3-uploads.ts explains, with their bookkeeping in the database.
// Reads are ranged GETs; with `redirect`, blob downloads can go to clients as presigned URLs.
// Credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles,
// web identity, instance roles).
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import type { ByteRange } from '../../core/oci/range.js';
import type { AppendOptions, BlobReader, BlobStore } from '../../core/ports/blob-store.js';
import type { UploadLedger } from '../../core/ports/upload-ledger.js';
import { S3Bucket } from './s3-objects.js';
import { S3ObjectReader } from './s3-reader.js';
import { MIN_PART_BYTES, S3Uploads } from './s3-uploads.js';

/** Options of the S3 driver. */
export interface S3BlobStoreOptions {
  bucket: string;
  /** Endpoint URL of a non-AWS server (MinIO, Ceph RGW), e.g. http://minio:9000. */
  endpoint?: string | undefined;
  region: string;
  /** Path-style URLs (endpoint/bucket/key), which most non-AWS servers need. */
  forcePathStyle: boolean;
  /** Key prefix of everything Berth stores in the bucket. */
  prefix?: string | undefined;
  /** Redirect blob downloads to presigned URLs valid this long (seconds); off when absent. */
  redirectSeconds?: number | undefined;
  /** Bytes per multipart part (at least 5 MiB); an upload holds at most 10,000 parts. */
  partBytes: number;
  /** Where upload layouts and part numbers are kept (the shared database). */
  ledger: UploadLedger;
  /** Explicit credentials (tests); the standard AWS chain otherwise. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/** Creates a BlobStore on an S3 bucket. */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  if (options.partBytes < MIN_PART_BYTES) throw new Error(`S3 part size must be at least ${MIN_PART_BYTES} bytes`);
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    // Checksums only where S3 requires them: MinIO, Ceph and s3rver do not all take the SDK's default
    // trailing checksums on streamed bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Each download holds up to two ranged GETs open (s3-reader.ts); the SDK's default of 50 sockets
    // would queue downloads behind slow clients.
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: 512 }, httpsAgent: { keepAlive: true, maxSockets: 512 } },
  });
  const prefix = options.prefix ? options.prefix.replace(/^\/+/, '').replace(/\/*$/, '/') : '';
  const bucket = new S3Bucket(client, options.bucket, prefix);
  const store = new S3BlobStore(bucket, new S3Uploads(bucket, options.ledger, options.partBytes));
  if (options.redirectSeconds !== undefined) {
    const expiresIn = options.redirectSeconds;
    const presign = async (digest: string) => getSignedUrl(client, new GetObjectCommand({ Bucket: options.bucket, Key: prefix + blobKey(digest) }), { expiresIn });
    return Object.assign(store, { presignedUrl: presign });
  }
  return store;
}

class S3BlobStore implements BlobStore {
  constructor(
    private readonly bucket: S3Bucket,
    private readonly uploads: S3Uploads,
  ) {}

  async stat(digest: string): Promise<number | null> {
    return this.bucket.size(blobKey(digest));
  }

  async read(digest: string, range?: ByteRange): Promise<Readable> {
    return this.bucket.get(blobKey(digest), range);
  }

  async openReader(digest: string): Promise<BlobReader> {
    const size = await this.stat(digest);
    if (size === null) throw Object.assign(new Error(`blob ${digest.slice(0, 80)} is absent`), { code: 'ENOENT' });
    return new S3ObjectReader(this.bucket, blobKey(digest), size);
  }

  async put(digest: string, bytes: Uint8Array): Promise<void> {
    return this.bucket.put(blobKey(digest), bytes);
  }

  async delete(digest: string): Promise<void> {
    return this.bucket.delete(blobKey(digest));
  }

  async createUpload(): Promise<void> {
    // Nothing is stored for an empty session; its first append records its first layout.
  }

  appendUpload(id: string, offset: number, source: AsyncIterable<Uint8Array>, options?: AppendOptions): Promise<number> {
    return this.uploads.append(id, offset, source, options);
  }

  uploadExists(id: string): Promise<boolean> {
    return this.uploads.exists(id);
  }

  readUpload(id: string, size: number, version?: string | null): Promise<Readable> {
    return this.uploads.read(id, size, version);
  }

  async commitUpload(id: string, size: number, digest: string, version?: string | null): Promise<void> {
    const target = blobKey(digest);
    // Already there (pushed before, or by another replica): nothing to copy. A HEAD that fails says
    // nothing either way (some S3 servers fail it while another replica overwrites the object), and
    // copying identical bytes over the object is always safe.
    if ((await this.bucket.size(target).catch(() => null)) === size) return;
    const source = await this.uploads.single(id, size, version);
    if (source === null) await this.bucket.put(target, new Uint8Array());
    else await this.bucket.copy(source, target, size);
    await this.uploads.remove(id);
  }

  deleteUpload(id: string): Promise<void> {
    return this.uploads.remove(id);
  }

  listUploadsBefore(before: Date): Promise<string[]> {
    return this.uploads.idleBefore(before);
  }

  async close(): Promise<void> {
    await this.uploads.settle();
    this.bucket.client.destroy();
  }
}

/** The object key of a committed blob; refuses anything but a well-formed digest. */
function blobKey(digest: string): string {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  if (!/^[a-z0-9]+$/.test(algorithm) || !/^[a-f0-9]{64,128}$/.test(hex)) throw new Error(`not a storable digest: ${digest.slice(0, 80)}`);
  return `blobs/${algorithm}/${hex}`;
}
