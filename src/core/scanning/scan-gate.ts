// Keeps models that failed their scan from being pulled, server-wide (`scanning.blockDangerous`) or per
// project (`preventDangerousPulls`, Harbor's `prevent_vul`): a manifest bound to a model version whose
// scan found dangerous imports is refused on the OCI and Hugging Face surfaces alike, with the reason.
// Other manifests, and versions not scanned yet, pass. Blobs stay readable by digest, as in Harbor's
// "prevent vulnerable images". The per-project switch is read through a short cache, so a manifest GET
// in a project without it costs no query; another replica sees a change within `cacheMs`.
import { RegistryError } from '../errors.js';
import { projectOfRepository } from '../events/domain-events.js';
import type { PullGate } from '../oci/registry.js';
import type { AccessStore } from '../ports/access-store.js';
import type { Clock } from '../ports/clock.js';
import type { ModelStore } from '../ports/model-store.js';

/** Whether pulls from `project` are gated on scan results. */
export type ScanPolicy = (project: string) => Promise<boolean>;

/** The per-project switch, read from the access store and cached for `cacheMs`; `forget` drops a project. */
export function projectScanPolicy(store: Pick<AccessStore, 'getProject'>, clock: Clock, cacheMs = 5000): ScanPolicy & { forget(project: string): void } {
  const cache = new Map<string, { blocks: boolean; until: number }>();
  const policy = async (project: string) => {
    const now = clock.now().getTime();
    const hit = cache.get(project);
    if (hit && hit.until > now) return hit.blocks;
    const blocks = (await store.getProject(project))?.preventDangerousPulls ?? false;
    if (cache.size > 10_000) cache.clear();
    cache.set(project, { blocks, until: now + cacheMs });
    return blocks;
  };
  return Object.assign(policy, { forget: (project: string) => void cache.delete(project) });
}

/** A PullGate that refuses versions whose `berth.scan.status` is `dangerous`, where `policy` says so. */
export function dangerousVersionGate(store: Pick<ModelStore, 'findBinding' | 'getEntity'>, policy: ScanPolicy = async () => true): PullGate {
  return async (repository, digest) => {
    if (!(await policy(projectOfRepository(repository)))) return;
    const binding = await store.findBinding(repository, digest);
    if (!binding) return;
    const version = await store.getEntity(binding.versionId);
    const status = version?.customProperties['berth.scan.status'];
    if (status?.metadataType === 'MetadataStringValue' && status.string_value === 'dangerous') {
      throw new RegistryError('DENIED', `${repository} version ${version!.name ?? binding.versionId} failed its scan: it would run code when loaded (see berth.scan.findings); pulls are blocked`, {
        detail: { repository, digest, scan: 'dangerous' },
      });
    }
  };
}
