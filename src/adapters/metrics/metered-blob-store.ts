// A BlobStore decorator that counts failed operations by name for /metrics. "Absent" is an answer,
// not a failure (ENOENT, S3 NoSuchKey/NotFound); so is an upload whose source (the client's request
// body) failed, and a read stream torn down because the client went away. Every other call goes
// straight through, so methods a driver adds to the port are forwarded (and counted) unchanged.
import { Readable } from 'node:stream';
import type { BlobStore } from '../../core/ports/blob-store.js';

/** Counts one failure of `operation`. */
export type StorageFailureSink = (operation: string) => void;

const ABSENT = new Set(['ENOENT', 'NoSuchKey', 'NotFound', 'NoSuchUpload']);
const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ABORT_ERR']);

/** Wraps `store` so that its failures reach `failed`. */
export function meteredBlobStore(store: BlobStore, failed: StorageFailureSink): BlobStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'close') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        let sourceFailed = false;
        if (property === 'appendUpload' && isAsyncIterable(args[2])) {
          args[2] = watched(args[2], () => (sourceFailed = true));
        }
        const result = method.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (resolved: unknown) => {
            if (resolved instanceof Readable) {
              resolved.once('error', (err: unknown) => {
                if (!CLIENT_GONE.has(codeOf(err))) failed(property);
              });
            }
            return resolved;
          },
          (err: unknown) => {
            if (!sourceFailed && !ABSENT.has(codeOf(err))) failed(property);
            throw err;
          },
        );
      };
    },
  });
}

async function* watched(source: AsyncIterable<Uint8Array>, onError: () => void): AsyncGenerator<Uint8Array> {
  try {
    yield* source;
  } catch (err) {
    onError();
    throw err;
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function codeOf(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const { code, name } = err as { code?: unknown; name?: unknown };
  return typeof code === 'string' ? code : typeof name === 'string' ? name : '';
}
