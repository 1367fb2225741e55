// Domain events of the OCI registry that other parts of Berth react to (model metadata, and later
// webhooks): a manifest stored under a tag or digest, a manifest or tag deleted.

/** Something that changed in the registry. */
export type RegistryEvent =
  | { type: 'manifest.pushed'; repository: string; digest: string; mediaType: string; artifactType?: string | undefined; tag?: string | undefined; content: Uint8Array; at: Date; operator?: string | undefined }
  | { type: 'manifest.deleted'; repository: string; digest: string; at: Date; operator?: string | undefined }
  | { type: 'tag.deleted'; repository: string; tag: string; at: Date };

/** Reacts to registry events; a listener that throws fails the request that caused the event. */
export type RegistryListener = (event: RegistryEvent) => Promise<void>;
