// Handlers of the OCI surface: each parses the request, calls one core service, and sets the
// headers the spec and real clients (skopeo, docker, containerd, oras) rely on.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md
import type { FastifyReply, FastifyRequest } from 'fastify';
import { operatorName } from '../../core/access/permissions.js';
import { RegistryError } from '../../core/errors.js';
import { MediaTypes } from '../../core/oci/media-types.js';
import { uploadRangeHeader } from '../../core/oci/range.js';
import type { RegistryService } from '../../core/oci/registry.js';
import type { UploadService } from '../../core/oci/uploads.js';
import type { UploadRecord } from '../../core/ports/registry-store.js';
import { sendBlobBytes } from '../blob-sender.js';
import { readBoundedBody, uploadBody } from './body.js';
import type { OciAccess } from './guard.js';

/** Services the OCI handlers call. */
export interface OciServices {
  registry: RegistryService;
  uploads: UploadService;
}

/** What a handler receives. */
export interface OciContext {
  req: FastifyRequest;
  reply: FastifyReply;
  /** Captured path groups: repository name first, then the reference or session id. */
  params: string[];
  query: URLSearchParams;
  services: OciServices;
  /** The caller's access, for checks beyond the path's own repository. */
  access: OciAccess;
}

/** An OCI handler. */
export type OciHandler = (ctx: OciContext) => Promise<unknown>;

/** end-1: the API version check. */
export const apiVersion: OciHandler = async ({ reply }) => reply.code(200).type('application/json').send('{}');

/** The `_catalog` extension: repository names, paged. */
export const catalog: OciHandler = async ({ reply, query, services, access }) => {
  const page = await services.registry.catalog(query.get('n') ?? undefined, query.get('last') ?? undefined);
  if (page.next) reply.header('link', nextLink('/v2/_catalog', query, page.next));
  const visible: string[] = [];
  for (const repository of page.items) if (await access.may(repository, 'pull')) visible.push(repository);
  return reply.send({ repositories: visible });
};

/** end-8: tags of a repository, paged. */
export const listTags: OciHandler = async ({ reply, params, query, services }) => {
  const [name] = params as [string];
  const page = await services.registry.listTags(name, query.get('n') ?? undefined, query.get('last') ?? undefined);
  if (page.next) reply.header('link', nextLink(`/v2/${name}/tags/list`, query, page.next));
  return reply.send({ name, tags: page.items });
};

/** end-3 GET: a manifest's exact bytes. */
export const getManifest: OciHandler = async ({ reply, params, services, access }) => {
  const [name, reference] = params as [string, string];
  const manifest = await services.registry.pullManifest(name, reference, operatorName(access.principal));
  return reply
    .header('content-type', manifest.mediaType)
    .header('docker-content-digest', manifest.digest)
    .header('etag', `"${manifest.digest}"`)
    .send(Buffer.from(manifest.content.buffer, manifest.content.byteOffset, manifest.content.byteLength));
};

/** end-3 HEAD: a manifest's digest, type and size. */
export const headManifest: OciHandler = async ({ reply, params, services }) => {
  const [name, reference] = params as [string, string];
  const manifest = await services.registry.statManifest(name, reference);
  return reply
    .header('content-type', manifest.mediaType)
    .header('docker-content-digest', manifest.digest)
    .header('etag', `"${manifest.digest}"`)
    .header('content-length', manifest.size)
    .send();
};

/** end-7: store a manifest under a tag or digest. */
export const putManifest: OciHandler = async ({ req, reply, params, services, access }) => {
  const [name, reference] = params as [string, string];
  const content = await readBoundedBody(req.raw, services.registry.limits.maxManifestBytes);
  const stored = await services.registry.putManifest(name, reference, content, req.headers['content-type'], operatorName(access.principal));
  if (stored.subject) reply.header('oci-subject', stored.subject);
  return reply
    .code(201)
    .header('location', `/v2/${name}/manifests/${stored.digest}`)
    .header('docker-content-digest', stored.digest)
    .send();
};

/** end-9: delete a manifest by digest, or a tag. */
export const deleteManifest: OciHandler = async ({ reply, params, services, access }) => {
  const [name, reference] = params as [string, string];
  await services.registry.deleteManifest(name, reference, operatorName(access.principal));
  return reply.code(202).send();
};

/** end-4a/4b/4c/11: open an upload, push a whole blob, or mount one. */
export const startUpload: OciHandler = async ({ req, reply, params, query, services, access }) => {
  const [name] = params as [string];
  const mount = query.get('mount');
  if (mount !== null) {
    const mounted = await services.uploads.mount(name, mount, query.get('from') ?? undefined, (repo) => access.may(repo, 'pull'));
    if (mounted) return blobCreated(reply, name, mounted.digest);
  }
  const digest = query.get('digest');
  if (digest !== null && mount === null) {
    const blob = await services.uploads.putWhole(name, digest, uploadBody(req.raw));
    return blobCreated(reply, name, blob.digest);
  }
  req.raw.resume();
  const upload = await services.uploads.start(name, query.get('digest-algorithm') ?? undefined);
  return uploadAccepted(reply, upload, 202);
};

/** end-13: where an upload stands. */
export const uploadStatus: OciHandler = async ({ reply, params, services }) => {
  const [name, id] = params as [string, string];
  return uploadAccepted(reply, await services.uploads.status(name, id), 204);
};

/** end-5: append a streamed or ranged chunk. */
export const patchUpload: OciHandler = async ({ req, reply, params, services }) => {
  const [name, id] = params as [string, string];
  return uploadAccepted(reply, await services.uploads.append(name, id, uploadBody(req.raw)), 202);
};

/** end-6: close an upload with its digest and an optional last chunk. */
export const completeUpload: OciHandler = async ({ req, reply, params, query, services }) => {
  const [name, id] = params as [string, string];
  const digest = query.get('digest');
  if (!digest) throw new RegistryError('DIGEST_INVALID', 'the digest query parameter is required');
  const blob = await services.uploads.complete(name, id, digest, uploadBody(req.raw));
  return blobCreated(reply, name, blob.digest);
};

/** end-14: cancel an upload. */
export const cancelUpload: OciHandler = async ({ reply, params, services }) => {
  const [name, id] = params as [string, string];
  await services.uploads.cancel(name, id);
  return reply.code(204).send();
};

/** end-2 GET: blob bytes, whole or one range; or a 307 to the store's presigned URL in redirect mode. */
export const getBlob: OciHandler = async ({ req, reply, params, services }) => {
  const [name, digest] = params as [string, string];
  const redirect = await services.registry.blobLocation(name, digest);
  if (redirect) return reply.code(307).header('location', redirect.url).header('docker-content-digest', redirect.digest).send();
  const blob = await services.registry.readBlob(name, digest, req.headers.range);
  reply
    .header('content-type', 'application/octet-stream')
    .header('docker-content-digest', blob.digest)
    .header('accept-ranges', 'bytes')
    .header('etag', `"${blob.digest}"`);
  const { start, end } = blob.range ?? { start: 0, end: blob.size - 1 };
  if (blob.range) reply.code(206).header('content-range', `bytes ${start}-${end}/${blob.size}`);
  reply.header('content-length', end - start + 1);
  await sendBlobBytes(reply, blob.reader, start, end);
  return reply;
};

/** end-2 HEAD: blob existence and size. */
export const headBlob: OciHandler = async ({ reply, params, services }) => {
  const [name, digest] = params as [string, string];
  const blob = await services.registry.confirmBlob(name, digest);
  return reply
    .header('content-type', 'application/octet-stream')
    .header('docker-content-digest', blob.digest)
    .header('accept-ranges', 'bytes')
    .header('content-length', blob.size)
    .send();
};

/** end-10: unlink a blob from a repository. */
export const deleteBlob: OciHandler = async ({ reply, params, services }) => {
  const [name, digest] = params as [string, string];
  await services.registry.deleteBlob(name, digest);
  return reply.code(202).send();
};

/** end-12: the referrers index of a manifest, optionally filtered by artifactType. */
export const referrers: OciHandler = async ({ reply, params, query, services }) => {
  const [name, digest] = params as [string, string];
  const artifactType = query.get('artifactType') ?? undefined;
  const result = await services.registry.referrers(name, digest, artifactType, query.get('n') ?? undefined, query.get('last') ?? undefined);
  if (result.filtered) reply.header('oci-filters-applied', 'artifactType');
  if (result.next) reply.header('link', nextLink(`/v2/${name}/referrers/${digest}`, query, result.next));
  return reply.header('content-type', MediaTypes.ociIndex).send(Buffer.from(JSON.stringify(result.index)));
};

function blobCreated(reply: FastifyReply, name: string, digest: string): FastifyReply {
  return reply.code(201).header('location', `/v2/${name}/blobs/${digest}`).header('docker-content-digest', digest).send();
}

function uploadAccepted(reply: FastifyReply, upload: UploadRecord, status: 202 | 204): FastifyReply {
  return reply
    .code(status)
    .header('location', `/v2/${upload.repository}/blobs/uploads/${upload.id}`)
    .header('range', uploadRangeHeader(upload.size))
    .header('docker-upload-uuid', upload.id)
    .send();
}

function nextLink(path: string, query: URLSearchParams, last: string): string {
  const next = new URLSearchParams(query);
  next.set('last', last);
  return `<${path}?${next.toString()}>; rel="next"`;
}
