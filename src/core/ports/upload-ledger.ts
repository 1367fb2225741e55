// The UploadLedger port: durable bookkeeping of how in-progress uploads are laid out in an object
// store that cannot append (S3 multipart parts and tail objects), shared by every replica through the
// database rather than asked of the object store (s3rver lacks ListParts). Every driver passes
// test/contracts/upload-ledger.contract.ts.

/** One recorded layout of an upload: what its first `size` bytes are made of, at one version. */
export interface UploadLayoutRecord {
  /** Names the prefix (see AppendOptions in blob-store.ts). */
  version: string;
  size: number;
  /** The driver's own description of the bytes (JSON), opaque to the ledger. */
  layout: string;
  updatedAt: Date;
}

/** Per-upload layouts and part numbers of a storage driver. */
export interface UploadLedger {
  /** Reserves the next part number of upload `id` (1, 2, ...); no number is handed out twice. */
  nextPart(id: string): Promise<number>;
  /** The layout recorded for upload `id` at `version`, or null. */
  get(id: string, version: string): Promise<UploadLayoutRecord | null>;
  /** Records (or replaces) the layout of upload `id` at `record.version`. */
  put(id: string, record: UploadLayoutRecord): Promise<void>;
  /** Removes and returns the layouts of upload `id` smaller than `size`. */
  dropBelow(id: string, size: number): Promise<UploadLayoutRecord[]>;
  /** Every layout recorded for upload `id`, smallest first. */
  list(id: string): Promise<UploadLayoutRecord[]>;
  /** Forgets upload `id` entirely (layouts and part numbers). */
  forget(id: string): Promise<void>;
  /** Uploads whose newest record is older than `before`. */
  idleBefore(before: Date): Promise<string[]>;
}
