// The read/write side of the registry beyond uploads: blobs, manifests, tags, the catalog and the
// referrers API, enforcing the distribution spec's rules on top of the ports.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md
import { RegistryError } from '../errors.js';
import { domainEvent, projectOfRepository, type DomainEvent } from '../events/domain-events.js';
import type { RegistryEvent, RegistryListener } from '../events/registry-events.js';
import type { BlobReader, BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { ManifestRecord, RegistryStore, StoredManifest } from '../ports/registry-store.js';
import type { QuotaPolicy } from '../policies/quota-policy.js';
import type { TagPolicy } from '../policies/tag-policy.js';
import { digestOf, parseDigest } from './digest.js';
import { parseManifest } from './manifest.js';
import { MediaTypes } from './media-types.js';
import { assertName, parseReference } from './names.js';
import { resolveRangeHeader, type ByteRange } from './range.js';

/** Limits the registry enforces. */
export interface RegistryLimits {
  /** Largest manifest accepted, in bytes (the spec asks for at least 4 MiB). */
  maxManifestBytes: number;
  /** Largest page of tags, repositories or referrers returned at once. */
  maxPageSize: number;
}

/** A blob ready to send: its reader and the bytes asked for. */
export interface BlobRead {
  digest: string;
  size: number;
  range: ByteRange | null;
  reader: BlobReader;
}

/** One page of a listing, with the cursor of the next page when there is one. */
export interface Page<T> {
  items: T[];
  next?: string | undefined;
}

/** Receives manifest pulls (GETs by clients), for pull events; must not block or throw. */
export type PullObserver = (pull: { repository: string; reference: string; digest: string; mediaType: string; operator: string; at: Date }) => void;

/** Decides whether a client may pull manifest `digest` of `repository`; throws (DENIED) when not. */
export type PullGate = (repository: string, digest: string) => Promise<void>;

/** Registry operations other than upload sessions. */
export class RegistryService {
  private readonly listeners: RegistryListener[] = [];
  private pullObserver: PullObserver | undefined;
  private pullGate: PullGate | undefined;
  private tagPolicy: TagPolicy | undefined;
  private quotaPolicy: QuotaPolicy | undefined;

  constructor(
    private readonly blobs: BlobStore,
    private readonly store: RegistryStore,
    private readonly clock: Clock,
    readonly limits: RegistryLimits,
  ) {}

  /** Calls `listener` after every manifest push and every manifest or tag delete. */
  onEvent(listener: RegistryListener): void {
    this.listeners.push(listener);
  }

  /** Asks `gate` before every manifest a client pulls (GET) is sent. */
  gatePulls(gate: PullGate): void {
    this.pullGate = gate;
  }

  /** Enforces tag immutability (`tags`) and project quotas (`quota`) on manifest pushes and deletes. */
  usePolicies(policies: { tags?: TagPolicy | undefined; quota?: QuotaPolicy | undefined }): void {
    this.tagPolicy = policies.tags;
    this.quotaPolicy = policies.quota;
  }

  /** Tells `observer` about every manifest a client pulls. */
  observePulls(observer: PullObserver): void {
    this.pullObserver = observer;
  }

  private async emit(event: RegistryEvent): Promise<void> {
    for (const listener of this.listeners) await listener(event);
  }

  /** Size of a blob linked into `repository`; BLOB_UNKNOWN otherwise. */
  async statBlob(repository: string, digest: string): Promise<{ digest: string; size: number }> {
    assertName(repository);
    const parsed = parseDigest(digest);
    const linked = await this.store.getLinkedBlob(repository, parsed.value);
    if (!linked) throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { detail: { digest: parsed.value } });
    return { digest: parsed.value, size: linked.size };
  }

  /** As statBlob, for a HEAD: also refreshes the link, so GC spares it for a grace window from now. */
  async confirmBlob(repository: string, digest: string): Promise<{ digest: string; size: number }> {
    assertName(repository);
    const parsed = parseDigest(digest);
    const linked = await this.store.touchBlobLink(repository, parsed.value, this.clock.now());
    if (!linked) throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { detail: { digest: parsed.value } });
    return { digest: parsed.value, size: linked.size };
  }

  /** Opens a blob for reading, honouring an RFC 9110 Range header. */
  async readBlob(repository: string, digest: string, rangeHeader?: string): Promise<BlobRead> {
    const { digest: value, size } = await this.statBlob(repository, digest);
    const range = resolveRangeHeader(rangeHeader, size);
    try {
      const reader = await this.blobs.openReader(value);
      return { digest: value, size, range, reader };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RegistryError('BLOB_UNKNOWN', 'blob content is missing', { detail: { digest: value } });
      throw err;
    }
  }

  /** A URL where clients fetch a linked blob from the store itself (redirect mode), or null when Berth serves it. */
  async blobLocation(repository: string, digest: string): Promise<{ digest: string; url: string } | null> {
    if (!this.blobs.presignedUrl) return null;
    const { digest: value } = await this.statBlob(repository, digest);
    return { digest: value, url: await this.blobs.presignedUrl(value) };
  }

  /** Unlinks a blob from a repository; its bytes stay until garbage collection. */
  async deleteBlob(repository: string, digest: string): Promise<void> {
    assertName(repository);
    const parsed = parseDigest(digest);
    if (!(await this.store.unlinkBlob(repository, parsed.value))) {
      throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { detail: { digest: parsed.value } });
    }
  }

  /** A manifest by tag or digest, with its exact bytes. */
  async getManifest(repository: string, reference: string): Promise<StoredManifest> {
    const digest = await this.resolve(repository, reference);
    const manifest = await this.store.getManifest(repository, digest);
    if (!manifest) throw manifestUnknown(reference);
    return manifest;
  }

  /** A manifest fetched by a client (GET): as getManifest, and observed as a pull by `operator`. */
  async pullManifest(repository: string, reference: string, operator: string): Promise<StoredManifest> {
    const manifest = await this.getManifest(repository, reference);
    await this.pullGate?.(repository, manifest.digest);
    this.pullObserver?.({ repository, reference, digest: manifest.digest, mediaType: manifest.mediaType, operator, at: this.clock.now() });
    return manifest;
  }

  /** A manifest's metadata by tag or digest (HEAD). */
  async statManifest(repository: string, reference: string): Promise<ManifestRecord> {
    const digest = await this.resolve(repository, reference);
    const manifest = await this.store.statManifest(repository, digest);
    if (!manifest) throw manifestUnknown(reference);
    return manifest;
  }

  /** Stores manifest bytes under a tag or digest reference; returns its digest and subject. */
  async putManifest(repository: string, reference: string, content: Uint8Array, contentType: string | undefined, operator?: string): Promise<ManifestRecord> {
    assertName(repository);
    const ref = parseReference(reference);
    if (content.byteLength > this.limits.maxManifestBytes) throw manifestTooLarge(this.limits.maxManifestBytes);
    const parsed = parseManifest(content, contentType);
    const digest = ref.kind === 'digest' ? digestOf(content, ref.digest.algorithm) : digestOf(content);
    if (ref.kind === 'digest' && digest !== ref.digest.value) {
      throw new RegistryError('DIGEST_INVALID', 'manifest digest did not match the reference', { detail: { expected: ref.digest.value, actual: digest } });
    }
    const missing = await this.store.missingReferences(repository, parsed.references);
    if (missing.length > 0) {
      throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `manifest references unknown content: ${missing.slice(0, 3).join(', ')}`, {
        detail: missing.map((d) => ({ digest: d })),
      });
    }
    const record: StoredManifest = {
      repository,
      digest,
      mediaType: parsed.mediaType,
      size: content.byteLength,
      subject: parsed.subject,
      artifactType: parsed.artifactType,
      annotations: parsed.annotations,
      createdAt: this.clock.now(),
      content,
    };
    const tag = ref.kind === 'tag' ? ref.tag : undefined;
    const previous = tag === undefined ? null : await this.store.resolveTag(repository, tag);
    const immutableTag = tag === undefined ? undefined : await this.tagPolicy?.checkPush(repository, tag, previous, digest);
    const events = this.pushEvents(record, tag, previous, operator);
    try {
      await this.store.putManifest(record, parsed.references, tag, events, { quota: this.quotaPolicy?.charge(repository, operator), immutableTag });
    } catch (err) {
      // The refusal is what the client must see, even if its event cannot be written.
      await this.quotaPolicy?.refused(err, repository, tag, digest, operator).catch(() => false);
      throw err;
    }
    await this.emit({ type: 'manifest.pushed', repository, digest, mediaType: parsed.mediaType, artifactType: parsed.artifactType, tag, content, at: record.createdAt, operator });
    return record;
  }

  /**
   * Deletes a manifest by digest (and its tags), or only a tag. `onlyTags` guards a digest delete: it is
   * refused (CONFLICT) if a tag outside the list points at the manifest by the time it is deleted.
   */
  async deleteManifest(repository: string, reference: string, operator?: string, options: { onlyTags?: readonly string[] } = {}): Promise<void> {
    assertName(repository);
    const ref = parseReference(reference);
    const at = this.clock.now();
    const project = projectOfRepository(repository);
    let deleted: boolean;
    if (ref.kind === 'digest') {
      await this.checkManifestDeletable(repository, ref.digest.value);
      const stat = await this.store.statManifest(repository, ref.digest.value);
      const event = domainEvent('artifact.deleted', project, operator, at, { repository, digest: ref.digest.value, mediaType: stat?.mediaType, artifactType: stat?.artifactType });
      deleted = await this.store.deleteManifest(repository, ref.digest.value, [event], options);
    } else {
      const digest = await this.store.resolveTag(repository, ref.tag);
      if (digest !== null) await this.tagPolicy?.checkTagDelete(repository, ref.tag);
      deleted = await this.store.deleteTag(repository, ref.tag, [domainEvent('tag.deleted', project, operator, at, { repository, tag: ref.tag, digest })]);
    }
    if (!deleted) throw manifestUnknown(reference);
    await this.emit(ref.kind === 'digest' ? { type: 'manifest.deleted', repository, digest: ref.digest.value, at, operator } : { type: 'tag.deleted', repository, tag: ref.tag, at });
  }

  /** Throws DENIED while an immutable tag points at manifest `digest` of `repository` (deleting it would delete the tag). */
  async checkManifestDeletable(repository: string, digest: string): Promise<void> {
    await this.tagPolicy?.checkManifestDelete(repository, digest, (r, d) => this.store.tagsOf(r, d));
  }

  /** The outbox events of a push: the artifact, and the tag it created or moved (from `previous`). */
  private pushEvents(record: StoredManifest, tag: string | undefined, previous: string | null, operator: string | undefined): DomainEvent[] {
    const { repository, digest, mediaType, artifactType, size, createdAt } = record;
    const project = projectOfRepository(repository);
    const events = [domainEvent('artifact.pushed', project, operator, createdAt, { repository, digest, mediaType, artifactType, size, tag })];
    if (tag === undefined) return events;
    if (previous === null) events.push(domainEvent('tag.created', project, operator, createdAt, { repository, tag, digest }));
    else if (previous !== digest) events.push(domainEvent('tag.moved', project, operator, createdAt, { repository, tag, digest, previousDigest: previous }));
    return events;
  }

  /** Tags of a repository in lexical order, `n`/`last` paged. */
  async listTags(repository: string, n: string | undefined, last: string | undefined): Promise<Page<string>> {
    assertName(repository);
    if (!(await this.store.repositoryExists(repository))) {
      throw new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', { detail: { name: repository } });
    }
    return this.page(n, (limit) => this.store.listTags(repository, { last, limit }), (t) => t);
  }

  /** Repository names in lexical order, `n`/`last` paged. */
  async catalog(n: string | undefined, last: string | undefined): Promise<Page<string>> {
    return this.page(n, (limit) => this.store.listRepositories({ last, limit }), (r) => r);
  }

  /** The referrers index of `digest`: an OCI image index of the manifests whose subject it is. */
  async referrers(repository: string, digest: string, artifactType: string | undefined, n: string | undefined, last: string | undefined) {
    assertName(repository);
    const subject = parseDigest(digest).value;
    const page = await this.page(n, (limit) => this.store.listReferrers(repository, subject, { last, limit, artifactType }), (m) => m.digest);
    const index = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: page.items.map((m) => ({
        mediaType: m.mediaType,
        digest: m.digest,
        size: m.size,
        ...(m.artifactType ? { artifactType: m.artifactType } : {}),
        ...(m.annotations ? { annotations: m.annotations } : {}),
      })),
    };
    return { index, next: page.next, filtered: artifactType !== undefined };
  }

  private async resolve(repository: string, reference: string): Promise<string> {
    assertName(repository);
    const ref = parseReference(reference);
    if (ref.kind === 'digest') return ref.digest.value;
    const digest = await this.store.resolveTag(repository, ref.tag);
    if (!digest) throw manifestUnknown(reference);
    return digest;
  }

  /** Runs a `n`/`last` page query, asking for one extra item to learn whether a next page exists. */
  private async page<T>(n: string | undefined, query: (limit: number) => Promise<T[]>, cursor: (item: T) => string): Promise<Page<T>> {
    let limit = this.limits.maxPageSize;
    if (n !== undefined && n !== '') {
      if (!/^\d+$/.test(n)) throw new RegistryError('PAGINATION_NUMBER_INVALID', 'n must be a non-negative integer', { detail: { n: n.slice(0, 20) } });
      limit = Math.min(Number(n), this.limits.maxPageSize);
      if (limit === 0) return { items: [] };
    }
    const rows = await query(limit + 1);
    if (rows.length <= limit) return { items: rows };
    const items = rows.slice(0, limit);
    return { items, next: cursor(items[items.length - 1]!) };
  }
}

function manifestUnknown(reference: string): RegistryError {
  return new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown to registry', { detail: { reference: reference.slice(0, 200) } });
}

function manifestTooLarge(limit: number): RegistryError {
  return new RegistryError('MANIFEST_INVALID', `manifest exceeds the ${limit} byte limit`, { status: 413, detail: { limit } });
}
