// Keeps models that failed their scan from being pulled, when the operator asks for it
// (`scanning.blockDangerous`): a manifest bound to a model version whose scan found dangerous imports
// is refused on the OCI and Hugging Face surfaces alike, with the reason. Other manifests, and versions
// not scanned yet, pass. Blobs stay readable by digest, as in Harbor's "prevent vulnerable images".
import { RegistryError } from '../errors.js';
import type { PullGate } from '../oci/registry.js';
import type { ModelStore } from '../ports/model-store.js';

/** A PullGate that refuses versions whose `berth.scan.status` is `dangerous`. */
export function dangerousVersionGate(store: Pick<ModelStore, 'findBinding' | 'getEntity'>): PullGate {
  return async (repository, digest) => {
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
