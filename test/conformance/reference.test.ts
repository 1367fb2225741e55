// Runs the same conformance suite against Debian's docker-registry (distribution 2.8, the reference
// implementation) as a differential check of the suite itself: a check the reference fails must be
// listed below with the observed reason, and is asserted to really fail (it.fails), so the list
// stays honest. REFERENCE.md explains each entry. Skipped locally when docker-registry is missing;
// a failure under CI=true.
import { REFERENCE_REGISTRY_BIN, startReferenceRegistry } from '../support/reference-registry.js';
import { toolAvailable } from '../support/tools.js';
import { conformanceSuite } from './suite.js';

const NO_REFERRERS = 'no referrers API: GET /v2/<name>/referrers/<digest> answers 404 page not found';
const RANGE_IGNORED = 'PATCH ignores Content-Range and appends the chunk where the upload ends: 202';
const TAGS_NOT_PAGED = 'tags list ignores n and last (tag paging came in distribution 3.0) and returns every tag, unsorted';
const MANIFEST_DIGEST_AS_TAG = 'blob GET answers 400 DIGEST_INVALID, but manifest GET treats the reference as a tag: 500 UNKNOWN';
const STALE_STATE = 'upload state travels in the Location (_state token); the original token no longer matches the upload: 404 BLOB_UPLOAD_INVALID';

/** Check name -> the reference's observed behaviour (see REFERENCE.md). */
const EXPECTED_FAILURES: Record<string, string> = {
  'Range past the end: 416 with Content-Range bytes */<size>':
    "416 with Content-Range, but it declares the blob's Content-Length and closes without a body (client: 'other side closed')",
  'chunked: a chunk that skips ahead of the upload answers 416': RANGE_IGNORED,
  'chunked: retrying the first chunk on the original location answers 416': STALE_STATE,
  'chunked: GET on the original location answers 204 with the current Range and a Location': STALE_STATE,
  'mount without from (automatic content discovery): 201 and the blob is then in the target': 'no automatic content discovery: opens an upload session, 202',
  'manifest with a subject: 201 with OCI-Subject: <subject digest>': 'no referrers support: stores the manifest but sends no OCI-Subject',
  'manifest pushed by a sha512 digest: 201, served by that digest with Docker-Content-Digest': 'verifies manifest digests as sha256 only: 400 DIGEST_INVALID',
  'manifest over 4 MiB: 413 and nothing stored': "limits manifests to 4 MiB but answers 400 MANIFEST_INVALID ('http: request body too large')",
  'tags list: 200 with the name and every tag in lexical order': 'tags come back in storage order, not lexical order',
  'tags list ?n=2: the first two tags': TAGS_NOT_PAGED,
  'tags list ?n=2: Link rel="next" (optional in the spec) leads through every tag in order': TAGS_NOT_PAGED,
  'tags list ?last=beta: the tags after it': TAGS_NOT_PAGED,
  'tags list ?n=2&last=beta: the two tags after it': TAGS_NOT_PAGED,
  'tags list ?n=0: an empty list and no Link': TAGS_NOT_PAGED,
  'referrers: an image index of every referrer with its artifactType and annotations': NO_REFERRERS,
  'referrers ?artifactType=: exactly the matching referrers, with OCI-Filters-Applied: artifactType': NO_REFERRERS,
  'referrers of a subject nothing refers to: 200 with an empty index': NO_REFERRERS,
  'referrers list only manifests of the same repository': NO_REFERRERS,
  'referrers with an invalid digest: 400': NO_REFERRERS,
  'referrers beyond one page: Link rel="next" pages through all of them, none twice': NO_REFERRERS,
  'DELETE of a referrer: it leaves the referrers list': NO_REFERRERS,
  'DELETE manifest by tag: 202; the tag is gone and the manifest stays by digest':
    'no tag deletion: 400 DIGEST_INVALID (the spec allows 400/405 when tag deletion is disabled)',
  'repository name with uppercase letters: 400 NAME_INVALID or 404 on push and pull':
    'its name grammar reads an uppercase first component as a registry hostname and opens an upload: 202',
  'repository name with a trailing slash: 400 NAME_INVALID or 404 on push and pull': "Go's router cleans the path and redirects: 301",
  'repository name with over 255 characters: 400 NAME_INVALID or 404 on push and pull': '500 UNKNOWN instead of NAME_INVALID',
  'repository name with a ".." path segment: 400 NAME_INVALID or 404': "Go's router cleans the path and redirects: 301",
  'digest with not hex (sha256:totallywrong): 400 DIGEST_INVALID for blobs and manifests': MANIFEST_DIGEST_AS_TAG,
  'digest with an unknown algorithm (md5:...): 400 DIGEST_INVALID for blobs and manifests': MANIFEST_DIGEST_AS_TAG,
  'digest with the wrong length (63 hex digits): 400 DIGEST_INVALID for blobs and manifests': MANIFEST_DIGEST_AS_TAG,
  'Content-Range with not a range: 416 or 400, and the upload is unchanged': RANGE_IGNORED,
  'Content-Range with its end before its start: 416 or 400, and the upload is unchanged': RANGE_IGNORED,
  'Content-Range longer than the body: 416 or 400': RANGE_IGNORED,
  'PATCH to an upload session that does not exist: 404 BLOB_UPLOAD_UNKNOWN': '404, but with BLOB_UPLOAD_INVALID (a Location without its _state token)',
  'manifest with schemaVersion 3: 400 MANIFEST_INVALID and nothing stored': '500 UNKNOWN',
};

conformanceSuite({
  name: 'reference (docker-registry 2.8)',
  skip: !toolAvailable(REFERENCE_REGISTRY_BIN, ['--version']),
  expectedFailures: EXPECTED_FAILURES,
  start: startReferenceRegistry,
});
