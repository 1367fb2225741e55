// Moving one blob between a file and a registry. Uploads skip blobs the registry has, try a mount,
// then send the file whole or in chunks, saving progress so a rerun resumes. Downloads resume a
// partial file, verify the digest while writing, fsync, and only then rename into place.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { writeBatched } from '../adapters/files/batched-write.js';
import type { TransferProgress } from './progress.js';
import type { RegistryClient } from './registry/client.js';
import { forgetUpload, loadUpload, saveUpload } from './upload-state.js';

const READ_CHUNK = 1 << 20;

/** A local file with its digest. */
export interface LocalBlob {
  file: string;
  size: number;
  digest: string;
}

/** What happened to one blob during a push. */
export type UploadOutcome = 'present' | 'mounted' | 'uploaded' | 'resumed';

/** Pushes one file as a blob of `repository`; returns what happened and how many bytes were sent. */
export async function uploadBlob(
  client: RegistryClient,
  repository: string,
  blob: LocalBlob,
  options: { chunkSize: number; progress: TransferProgress },
): Promise<{ outcome: UploadOutcome; bytesSent: number }> {
  if ((await client.blobSize(repository, blob.digest)) !== null) return { outcome: 'present', bytesSent: 0 };
  const key = [client.registry, repository, blob.digest];
  let location: string | undefined;
  let offset = 0;
  const saved = loadUpload(key);
  if (saved && saved.size === blob.size) {
    const held = await client.uploadOffset(repository, saved.location).catch(() => null);
    if (held !== null && held <= blob.size) {
      location = saved.location;
      offset = held;
      options.progress.advance(held);
    }
  }
  const resumed = location !== undefined && offset > 0;
  if (!location) {
    const started = await client.startUpload(repository, blob.digest);
    if (started.mounted) return { outcome: 'mounted', bytesSent: 0 };
    location = started.location;
  }
  let bytesSent = 0;
  const body = (start: number, length: number) => () => {
    bytesSent += length;
    return fileStream(blob.file, start, length, options.progress);
  };
  if (offset === 0 && blob.size <= options.chunkSize) {
    await client.finishUpload(repository, location, blob.digest, body(0, blob.size));
  } else {
    while (offset < blob.size) {
      const length = Math.min(options.chunkSize, blob.size - offset);
      location = await client.patchChunk(repository, location, offset, length, body(offset, length));
      offset += length;
      saveUpload(key, { location, size: blob.size });
    }
    await client.finishUpload(repository, location, blob.digest);
  }
  forgetUpload(key);
  return { outcome: resumed ? 'resumed' : 'uploaded', bytesSent };
}

/** Downloads a blob into `target`, resuming `<dir>/.<name>.berth-partial`; returns bytes received. */
export async function downloadBlob(
  client: RegistryClient,
  repository: string,
  blob: { digest: string; size: number },
  target: string,
  progress: TransferProgress,
): Promise<{ outcome: 'present' | 'downloaded' | 'resumed'; bytesReceived: number }> {
  const algorithm = blob.digest.slice(0, blob.digest.indexOf(':'));
  if ((await sizeOf(target)) === blob.size && (await digestFile(target, algorithm)) === blob.digest) {
    progress.advance(blob.size);
    return { outcome: 'present', bytesReceived: 0 };
  }
  await mkdir(dirname(target), { recursive: true });
  const partial = join(dirname(target), `.${basename(target)}.berth-partial`);
  const hash = createHash(algorithm);
  let start = (await sizeOf(partial)) ?? 0;
  if (start > blob.size) start = 0;
  if (start > 0) for await (const chunk of createReadStream(partial, { end: start - 1 })) hash.update(chunk as Buffer);
  progress.advance(start);

  const res = await client.getBlob(repository, blob.digest, start);
  const restart = start > 0 && res.status !== 206;
  const handle = await open(partial, restart || start === 0 ? 'w' : 'r+');
  const digestState = restart ? createHash(algorithm) : hash;
  let received = 0;
  const counted = async function* (body: AsyncIterable<unknown>) {
    for await (const chunk of body) {
      const bytes = chunk as Buffer;
      digestState.update(bytes);
      received += bytes.length;
      progress.advance(bytes.length);
      yield bytes;
    }
  };
  try {
    await writeBatched(handle, restart ? 0 : start, counted(res.body));
    await handle.sync();
  } finally {
    await handle.close();
  }
  const total = (restart ? 0 : start) + received;
  const actual = `${algorithm}:${digestState.digest('hex')}`;
  if (total !== blob.size || actual !== blob.digest) {
    await rm(partial, { force: true });
    throw new Error(`download of ${basename(target)} is corrupt: expected ${blob.digest} (${blob.size} bytes), got ${actual} (${total} bytes)`);
  }
  await rename(partial, target);
  return { outcome: start > 0 && !restart ? 'resumed' : 'downloaded', bytesReceived: received };
}

/** The digest of a file, streamed. */
export async function digestFile(file: string, algorithm = 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return `${algorithm}:${hash.digest('hex')}`;
}

/** Part of a file as a stream (read as the socket drains), counted into the progress bar. */
function fileStream(file: string, start: number, length: number, progress: TransferProgress): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      progress.advance(chunk.length);
      done(null, chunk);
    },
  });
  if (length === 0) return Readable.from([]);
  return createReadStream(file, { start, end: start + length - 1, highWaterMark: READ_CHUNK }).pipe(counter);
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}
