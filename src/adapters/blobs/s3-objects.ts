// Object operations the S3 driver composes: one bucket and key prefix, a few calls with the error
// handling S3-compatible servers need (AWS, MinIO, Ceph RGW, s3rver). Server-side copies above 5 GiB
// (the CopyObject limit) go through a multipart copy.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

/** The largest object one CopyObject may copy. */
const COPY_LIMIT = 5 * 1024 ** 3;
/** Bytes per part of a multipart copy. */
const COPY_PART = 1024 ** 3;

/** A part of a multipart upload, as CompleteMultipartUpload needs it. */
export interface UploadedPart {
  n: number;
  etag: string;
  size: number;
}

/** One bucket (under a key prefix) of an S3-compatible server. */
export class S3Bucket {
  constructor(
    readonly client: S3Client,
    readonly name: string,
    readonly prefix: string,
  ) {}

  /** Size of an object, or null when absent. */
  async size(key: string): Promise<number | null> {
    try {
      return (await this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: this.prefix + key }))).ContentLength ?? 0;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** A stream of the object's bytes, or of the inclusive range `[start, end]`; ENOENT when absent. */
  async get(key: string, range?: { start: number; end: number }): Promise<Readable> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.name, Key: this.prefix + key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      return out.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw Object.assign(new Error(`no object ${key}`), { code: 'ENOENT' });
      throw err;
    }
  }

  /** Stores an object from memory. */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.name, Key: this.prefix + key, Body: bytes, ContentLength: bytes.byteLength }));
  }

  /** Removes an object; absent objects are not an error. */
  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.name, Key: this.prefix + key }));
  }

  /** Keys (without the bucket prefix) and modification times of the objects under `under`. */
  async list(under: string): Promise<Array<{ key: string; modified: Date }>> {
    const found: Array<{ key: string; modified: Date }> = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.name, Prefix: this.prefix + under, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) found.push({ key: o.Key.slice(this.prefix.length), modified: o.LastModified ?? new Date(0) });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  /** Copies object `from` (of `size` bytes) to `to` on the server. */
  async copy(from: string, to: string, size: number): Promise<void> {
    const source = `${this.name}/${encodeURIComponent(this.prefix + from).replace(/%2F/g, '/')}`;
    if (size <= COPY_LIMIT) {
      await this.client.send(new CopyObjectCommand({ Bucket: this.name, Key: this.prefix + to, CopySource: source }));
      return;
    }
    const id = await this.startMultipart(to);
    try {
      const parts: UploadedPart[] = [];
      for (let start = 0, n = 1; start < size; start += COPY_PART, n++) {
        const end = Math.min(size, start + COPY_PART) - 1;
        const out = await this.client.send(
          new UploadPartCopyCommand({ Bucket: this.name, Key: this.prefix + to, UploadId: id, PartNumber: n, CopySource: source, CopySourceRange: `bytes=${start}-${end}` }),
        );
        parts.push({ n, etag: out.CopyPartResult?.ETag ?? '', size: end - start + 1 });
      }
      await this.completeMultipart(to, id, parts);
    } catch (err) {
      await this.abortMultipart(to, id);
      throw err;
    }
  }

  /** Starts a multipart upload to `key`; returns its upload id. */
  async startMultipart(key: string): Promise<string> {
    const out = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.name, Key: this.prefix + key }));
    if (!out.UploadId) throw new Error('CreateMultipartUpload returned no UploadId');
    return out.UploadId;
  }

  /** Uploads part `n` of a multipart upload; returns its ETag. */
  async uploadPart(key: string, id: string, n: number, bytes: Uint8Array): Promise<string> {
    const out = await this.client.send(
      new UploadPartCommand({ Bucket: this.name, Key: this.prefix + key, UploadId: id, PartNumber: n, Body: bytes, ContentLength: bytes.byteLength }),
    );
    if (!out.ETag) throw new Error(`UploadPart ${n} returned no ETag`);
    return out.ETag;
  }

  /** Completes a multipart upload from `parts` (ascending part numbers). */
  async completeMultipart(key: string, id: string, parts: UploadedPart[]): Promise<void> {
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.name,
        Key: this.prefix + key,
        UploadId: id,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.n, ETag: p.etag })) },
      }),
    );
  }

  /** Abandons a multipart upload, best effort (some servers, s3rver among them, cannot). */
  async abortMultipart(key: string, id: string): Promise<void> {
    await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.name, Key: this.prefix + key, UploadId: id })).catch(() => undefined);
  }
}

/** True for "no such object" answers (HEAD has no body, so only its status says so). */
export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || (e.name !== 'NoSuchBucket' && e.$metadata?.httpStatusCode === 404);
}
