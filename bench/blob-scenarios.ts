// The blob workloads, each one timed operation against one registry: monolithic and chunked pushes of
// a large blob, whole-blob pulls (alone and concurrent), and many small pushes at a fixed concurrency.
// A registry of several replicas is a function that picks the endpoint of each request in turn.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-blobs
import type { SmallBlob, SyntheticBlob } from './blob-data.js';
import { expectStatus, locationOf, send, withQuery, type Endpoint } from './http-client.js';

const OCTETS = 'application/octet-stream';

/** One server, or a function that picks one per request (a client-side round-robin over replicas). */
export type Target = Endpoint | (() => Endpoint);

const at = (target: Target): Endpoint => (typeof target === 'function' ? target() : target);

/** Seconds elapsed since `start` (from performance.now()). */
export function since(start: number): number {
  return (performance.now() - start) / 1000;
}

/** POST, then one PUT ?digest= with the whole body streamed; returns seconds. */
export async function pushMonolithic(target: Target, repo: string, blob: SyntheticBlob): Promise<number> {
  const start = performance.now();
  const post = await expectStatus(at(target), 202, 'POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': 0 } });
  const ep = at(target);
  await expectStatus(ep, 201, 'PUT', withQuery(locationOf(ep, post), 'digest', blob.digest), {
    headers: { 'content-type': OCTETS, 'content-length': blob.size },
    body: blob.pieces(),
  });
  return since(start);
}

/** POST, PATCH chunks of `chunkBytes` with Content-Range (following each Location), then PUT ?digest=; returns seconds. */
export async function pushChunked(target: Target, repo: string, blob: SyntheticBlob, chunkBytes: number): Promise<number> {
  const start = performance.now();
  let ep = at(target);
  const post = await expectStatus(ep, 202, 'POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': 0 } });
  let location = locationOf(ep, post);
  for (let offset = 0; offset < blob.size; offset += chunkBytes) {
    const end = Math.min(offset + chunkBytes, blob.size);
    ep = at(target);
    const patch = await expectStatus(ep, 202, 'PATCH', location, {
      headers: { 'content-type': OCTETS, 'content-length': end - offset, 'content-range': `${offset}-${end - 1}` },
      body: blob.pieces(offset, end),
    });
    location = locationOf(ep, patch);
  }
  await expectStatus(at(target), 201, 'PUT', withQuery(location, 'digest', blob.digest), { headers: { 'content-length': 0 } });
  return since(start);
}

/** GETs a blob, discarding the bytes; returns seconds. */
export async function pull(target: Target, repo: string, blob: SyntheticBlob): Promise<number> {
  const start = performance.now();
  await pullOnce(at(target), repo, blob);
  return since(start);
}

/** `count` GETs of one blob at once; returns seconds until the last one finished. */
export async function pullConcurrently(target: Target, repo: string, blob: SyntheticBlob, count: number): Promise<number> {
  const start = performance.now();
  await Promise.all(Array.from({ length: count }, () => pullOnce(at(target), repo, blob)));
  return since(start);
}

/** Pushes every blob with POST + PUT, `concurrency` at a time; returns seconds. */
export async function pushSmallBlobs(ep: Endpoint, repo: string, blobs: SmallBlob[], concurrency: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < blobs.length) {
      const blob = blobs[next++]!;
      const post = await expectStatus(ep, 202, 'POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': 0 } });
      await expectStatus(ep, 201, 'PUT', withQuery(locationOf(ep, post), 'digest', blob.digest), {
        headers: { 'content-type': OCTETS, 'content-length': blob.bytes.byteLength },
        body: blob.bytes,
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return since(start);
}

async function pullOnce(ep: Endpoint, repo: string, blob: SyntheticBlob): Promise<void> {
  const reply = await send(ep, 'GET', `/v2/${repo}/blobs/${blob.digest}`);
  if (reply.status !== 200 || reply.bytes !== blob.size) throw new Error(`GET blob: status ${reply.status}, ${reply.bytes} of ${blob.size} bytes`);
}
