import type { BuiltinImplementation } from './implementations';

export interface TagDeletion {
  /** The call werf's cleanup makes to remove one tag (v1.1; later versions noted in `notes`). */
  api: string;
  /** True when that call also removes every other tag pointing at the same digest. */
  deletesSharedDigestTags: boolean;
  /**
   * True when the registry offers some API that removes one tag and keeps the others on the same
   * digest, so a careful tool can avoid collateral deletions even where werf does not.
   */
  singleTagDelete: boolean;
}

/** One way a cleanup removes tags here; the confirmation, the results and the audit log name it. */
export interface DeletionMethod {
  /** The request, in a few words (`DELETE /v2/<name>/manifests/<digest>`). */
  call: string;
  /** What it does to the tag, the other tags on the digest and the content. */
  effect: string;
  /** How a deleted tag comes back: re-PUT of the recorded manifest, the registry's own restore, or not at all. */
  undo: 'reput' | 'native' | 'none';
  /**
   * The call takes every tag on the digest with it (a manifest delete): the executor then looks for
   * tags pushed onto the digest during the run right before it, never trusting the earlier survey.
   */
  removesOtherTags?: true;
}

/** How Stowage's cleanup deletes (not werf's: `tagDeletion` is werf's call). */
export interface Deletion {
  /** Every tag on the digest goes. */
  digest: DeletionMethod;
  /** Some tags on the digest stay: only the plan's tags go. null = the registry cannot; such tags are skipped, with the reason. */
  untag: DeletionMethod | null;
  /** Where content is freed later than the delete (garbage collection), the sentence that says so. */
  storageNote?: string;
}

export interface DocLink {
  label: string;
  url: string;
}

/**
 * What a registry can do, as data: the renderer, the check and the cleanup planner ask these
 * instead of naming registries.
 */
export interface RegistryCapabilities {
  /**
   * One tag can be removed while its manifest and the other tags on the same digest stay (a
   * tag-level delete API or an untag method exists). Without it, removing a tag means deleting its
   * digest, which removes every tag on it.
   */
  deleteTagWithoutDigest: boolean;
  /**
   * A manifest can be deleted by digest (with every tag on it) when no tag of it is meant to stay.
   * Docker Hub has no public API for it and GitLab deletes tags, not manifests, in its own API.
   */
  deleteManifestByDigest: boolean;
  /** Registry API manifest GETs count against a quota (Docker Hub counts a GET as a pull, HEAD not). */
  meteredManifestGets: boolean;
  /** Its own API lists tags with digests (and mostly sizes and dates) in one call per page. */
  listsDigestsInOneCall: boolean;
}

/** Per-registry connection settings that mean something for this implementation. */
export interface ImplementationSettings {
  /** The vendor API's base URL can be set (self-hosted, enterprise); the placeholder shows its form. */
  apiBaseUrl: { placeholder: string } | null;
  /** The cloud SDK's endpoint can be set (private endpoint, emulator); the placeholder shows its form. */
  sdkEndpoint: { placeholder: string } | null;
}

/**
 * Where a single path component is an account or namespace rather than a repository (registries
 * without nested repositories): on every host of the implementation, on some hosts only, or never.
 */
export type AccountAddresses = 'always' | 'never' | { hosts: readonly string[] };

export interface ImplementationInfo {
  title: string;
  capabilities: RegistryCapabilities;
  settings: ImplementationSettings;
  accountAddresses: AccountAddresses;
  /** Repositories can have paths below other repositories (needed for multirepo under a repo). */
  nestsRepositories: boolean;
  /** A push to a repository that does not exist yet creates it. */
  createsRepositoriesOnPush: boolean;
  tagDeletion: TagDeletion;
  deletion: Deletion;
  cleanupCredentials: string;
  notes: string[];
  docs: DocLink[];
  /** Path components allowed below the registry host; null = no limit the registry documents. */
  maxRepositoryDepth: number | null;
}

export const CATALOGUE: Record<BuiltinImplementation, ImplementationInfo> = {
  default: {
    title: 'Generic registry (Docker Registry HTTP API V2)',
    // Untagging works on every version: a tag DELETE on distribution 3 / OCI 1.1, the placeholder method on 2.x.
    capabilities: { deleteManifestByDigest: true, deleteTagWithoutDigest: true, meteredManifestGets: false, listsDigestsInOneCall: false },
    settings: { apiBaseUrl: null, sdkEndpoint: null },
    accountAddresses: 'never',
    nestsRepositories: true,
    createsRepositoriesOnPush: true,
    tagDeletion: {
      api: 'Registry API DELETE /v2/<name>/manifests/<digest>',
      deletesSharedDigestTags: true,
      singleTagDelete: true,
    },
    deletion: {
      digest: { call: 'DELETE /v2/<name>/manifests/<digest>', effect: 'removes the manifest and every tag on it', undo: 'reput', removesOtherTags: true },
      untag: {
        call: 'DELETE /v2/<name>/manifests/<tag> on distribution 3 / OCI 1.1; on 2.x the tag is moved to a unique placeholder manifest (PUT), which is then deleted by digest',
        effect: 'removes only that tag; the manifest and its other tags stay (on 2.x a 2-byte placeholder config blob stays until garbage collection)',
        undo: 'reput',
      },
      storageNote: 'Blobs are freed only when the registry runs garbage collection (registry garbage-collect).',
    },
    cleanupCredentials: 'docker login with a user allowed to delete; the registry must run with deletes enabled (distribution: storage.delete.enabled).',
    notes: [
      'Deleting by digest removes every tag that points at that digest.',
      'With deletes disabled the registry answers 405 UNSUPPORTED.',
      'distribution 3.0+ can untag with DELETE /v2/<name>/manifests/<tag>; 2.8 answers 400 DIGEST_INVALID, so Stowage untags there by moving the tag to a one-off placeholder manifest and deleting that by digest.',
      'DELETE only unlinks: disk space comes back after the registry garbage collection runs.',
    ],
    docs: [
      { label: 'OCI distribution spec', url: 'https://github.com/opencontainers/distribution-spec/blob/main/spec.md' },
      { label: 'distribution configuration (storage.delete)', url: 'https://github.com/distribution/distribution/blob/main/docs/content/about/configuration.md' },
    ],
    maxRepositoryDepth: null,
  },
  ecr: {
    title: 'Amazon Elastic Container Registry',
    capabilities: { deleteManifestByDigest: true, deleteTagWithoutDigest: true, meteredManifestGets: false, listsDigestsInOneCall: true },
    settings: { apiBaseUrl: null, sdkEndpoint: { placeholder: 'https://api.ecr.eu-west-1.amazonaws.com' } },
    accountAddresses: 'never',
    nestsRepositories: true,
    createsRepositoriesOnPush: false,
    tagDeletion: {
      api: 'AWS ECR BatchDeleteImage with imageIds [{ imageDigest }] in the region from the host',
      deletesSharedDigestTags: true,
      singleTagDelete: true,
    },
    deletion: {
      digest: { call: 'BatchDeleteImage with imageTag for each tag (≤ 100 per call)', effect: 'removes the tags; the image goes with its last tag', undo: 'reput' },
      untag: { call: 'BatchDeleteImage with imageTag (≤ 100 per call)', effect: 'removes only that tag; the image and its other tags stay', undo: 'reput' },
      storageNote: 'A restore is PutImage of the recorded manifest; it works only while ECR still stores the image\'s layers (otherwise push the image again).',
    },
    cleanupCredentials:
      'AWS credentials from the default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws profiles, SSO, instance role) with ecr:BatchDeleteImage, plus ecr:DescribeImages/ecr:ListImages to list. The ReadOnly and PowerUser managed policies cannot delete.',
    notes: [
      'Repositories are never created on push: create one repository per image before a multirepo publish.',
      'werf v1.1 sends no registryId, so repositories in another AWS account cannot be cleaned up.',
      'BatchDeleteImage with { imageTag } removes just that tag (the image goes when its last tag goes); werf deletes by digest.',
      'BatchDeleteImage takes 1–100 image ids per call and reports failures per item instead of failing the call.',
      'Archived images (ECR archive storage class) are listed with a note and always kept by cleanup: ECR serves them only after a restore.',
    ],
    docs: [
      { label: 'BatchDeleteImage API', url: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchDeleteImage.html' },
      { label: 'ECR managed IAM policies', url: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html' },
      { label: 'ECR service quotas', url: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html' },
    ],
    maxRepositoryDepth: null,
  },
  acr: {
    title: 'Azure Container Registry',
    capabilities: { deleteManifestByDigest: true, deleteTagWithoutDigest: true, meteredManifestGets: false, listsDigestsInOneCall: true },
    settings: { apiBaseUrl: null, sdkEndpoint: null },
    accountAddresses: 'never',
    nestsRepositories: true,
    createsRepositoriesOnPush: true,
    tagDeletion: {
      api: 'Azure CLI: az acr repository delete --name <registry> --image <repo>:<tag> --yes',
      deletesSharedDigestTags: true,
      singleTagDelete: true,
    },
    deletion: {
      digest: { call: 'DELETE /v2/<name>/manifests/<digest>', effect: 'removes the manifest and every tag on it (refused while it or one of its tags is locked)', undo: 'reput', removesOtherTags: true },
      untag: { call: 'DELETE /acr/v1/<name>/_tags/<tag>', effect: 'removes only that tag; the manifest stays (refused while the tag is locked)', undo: 'reput' },
    },
    cleanupCredentials:
      'Azure CLI on PATH and logged in (az login) as an identity with AcrDelete, Contributor or Owner; registries in ABAC mode need "Container Registry Repository Contributor" instead.',
    notes: [
      'Deleting --image <repo>:<tag> removes the manifest and every tag on it; DELETE /acr/v1/<name>/_tags/<tag> would only untag.',
      'Locked manifests or tags (deleteEnabled: false) cannot be deleted.',
      'Sovereign clouds use *.azurecr.cn (China) and *.azurecr.us (US Government); werf only recognises *.azurecr.io.',
    ],
    docs: [
      { label: 'ACR roles and permissions', url: 'https://learn.microsoft.com/azure/container-registry/container-registry-roles' },
      { label: 'Delete images in ACR', url: 'https://learn.microsoft.com/azure/container-registry/container-registry-delete' },
    ],
    maxRepositoryDepth: null,
  },
  dockerhub: {
    title: 'Docker Hub',
    capabilities: { deleteManifestByDigest: false, deleteTagWithoutDigest: true, meteredManifestGets: true, listsDigestsInOneCall: true },
    settings: { apiBaseUrl: { placeholder: 'https://hub.docker.com' }, sdkEndpoint: null },
    accountAddresses: 'always',
    nestsRepositories: false,
    createsRepositoriesOnPush: true,
    tagDeletion: {
      api: 'Docker Hub REST DELETE https://hub.docker.com/v2/repositories/<ns>/<repo>/tags/<tag>/',
      deletesSharedDigestTags: false,
      singleTagDelete: true,
    },
    deletion: {
      digest: { call: 'Docker Hub API DELETE /v2/repositories/<namespace>/<repo>/tags/<tag>/ for each tag', effect: 'removes the tags; the untagged image stays in the repository (Hub has no public manifest delete)', undo: 'none' },
      untag: { call: 'Docker Hub API DELETE /v2/repositories/<namespace>/<repo>/tags/<tag>/', effect: 'removes only that tag', undo: 'none' },
    },
    cleanupCredentials:
      'A Docker Hub personal access token with Read, Write, Delete scope (or the account password) of a user with admin rights on the repository. werf v1.1 takes --images-repo-docker-hub-username/-password; its --images-repo-docker-hub-token is parsed but not used for the images repo.',
    notes: [
      'Only ACCOUNT (multirepo) or ACCOUNT/REPO (monorepo) addresses work: Docker Hub has no nested repositories.',
      'werf quirk: an explicit library/NAME address is treated as account NAME (multirepo).',
      'werf reads every tag manifest during cleanup, and each GET counts against the pull rate limit.',
      'Organization access tokens and Read & Write tokens cannot delete; a 403 makes werf v1.1 only warn and report success.',
      'The Registry API refuses a manifest delete by digest (405 UNSUPPORTED); a delete by tag was seen accepted (December 2023) but is undocumented, so Stowage deletes tags through the Hub API. Untagged manifests cannot be deleted through any public API.',
    ],
    docs: [
      { label: 'Docker Hub API reference', url: 'https://docs.docker.com/reference/api/hub/latest/' },
      { label: 'Access token permissions', url: 'https://docs.docker.com/security/access-tokens/reference/' },
      { label: 'Docker Hub pull usage and limits', url: 'https://docs.docker.com/docker-hub/usage/pulls/' },
    ],
    maxRepositoryDepth: 2,
  },
  gcr: {
    title: 'Google Container Registry / Artifact Registry',
    capabilities: { deleteManifestByDigest: true, deleteTagWithoutDigest: true, meteredManifestGets: false, listsDigestsInOneCall: true },
    settings: { apiBaseUrl: null, sdkEndpoint: null },
    accountAddresses: 'never',
    nestsRepositories: true,
    createsRepositoriesOnPush: true,
    tagDeletion: {
      api: 'Registry API DELETE /v2/<name>/manifests/<tag>',
      deletesSharedDigestTags: false,
      singleTagDelete: true,
    },
    deletion: {
      digest: { call: 'DELETE /v2/<name>/manifests/<tag> for each tag, then DELETE /v2/<name>/manifests/<digest>', effect: 'removes the tags, then the manifest', undo: 'reput' },
      untag: { call: 'DELETE /v2/<name>/manifests/<tag>', effect: 'removes only that tag; the manifest stays', undo: 'reput' },
    },
    cleanupCredentials:
      'docker login through the gcloud credential helper (or oauth2accesstoken + an access token) as an account with roles/artifactregistry.repoAdmin or higher; the writer role cannot delete.',
    notes: [
      'Deleting by tag only untags; the manifest stays until it is deleted by digest, which fails with GOOGLE_MANIFEST_DANGLING_TAG while any tag remains.',
      'tags/list answers an incomplete list above 10,000 images or tags (Artifact Registry quotas): Stowage then lists through the Artifact Registry REST API (an access token and a <location>-docker.pkg.dev or gcr.io address) or marks the listing partial.',
      'Container Registry is shut down; gcr.io names are served by Artifact Registry "gcr.io repositories".',
      'Artifact Registry addresses are <location>-docker.pkg.dev/<project>/<repository>/<image>: the repository must exist, images below it are created on push.',
      'werf does not recognise *-docker.pkg.dev and would treat it as default unless told otherwise.',
    ],
    docs: [
      { label: 'Artifact Registry access control', url: 'https://cloud.google.com/artifact-registry/docs/access-control' },
      { label: 'Container Registry deprecation', url: 'https://cloud.google.com/container-registry/docs/deprecations/container-registry-deprecation' },
    ],
    maxRepositoryDepth: null,
  },
  github: {
    title: 'GitHub Packages (ghcr.io)',
    capabilities: { deleteManifestByDigest: true, deleteTagWithoutDigest: false, meteredManifestGets: false, listsDigestsInOneCall: true },
    settings: { apiBaseUrl: { placeholder: 'https://github.example.com/api/v3' }, sdkEndpoint: null },
    accountAddresses: { hosts: ['docker.pkg.github.com'] },
    nestsRepositories: true,
    createsRepositoriesOnPush: true,
    tagDeletion: {
      api: 'GitHub REST DELETE /orgs/<org>/packages/container/<package>/versions/<id> (or /user/...); v1.1 on docker.pkg.github.com: GraphQL deletePackageVersion',
      deletesSharedDigestTags: true,
      singleTagDelete: false,
    },
    deletion: {
      digest: { call: 'GitHub REST DELETE /{orgs|users}/<owner>/packages/container/<package>/versions/<id>', effect: 'removes the package version (the digest and every tag on it)', undo: 'native', removesOtherTags: true },
      untag: null,
    },
    cleanupCredentials:
      'A classic personal access token with read:packages and delete:packages (werf v1.1 on docker.pkg.github.com also wants write:packages and repo). Fine-grained tokens are not accepted; the Actions GITHUB_TOKEN works only with admin role on the package.',
    notes: [
      'A package version is one digest: deleting it removes all of its tags.',
      'Public package versions with more than 5,000 downloads cannot be deleted.',
      'Deleted versions can be restored for 30 days.',
      'docker.pkg.github.com addresses must be OWNER/REPOSITORY[/PACKAGE] (exactly 3 components for an image); the registry is deprecated and was migrated to ghcr.io.',
      'werf v1.1 does not recognise ghcr.io (v1.2+ does).',
    ],
    docs: [
      { label: 'Working with the Container registry', url: 'https://docs.github.com/packages/working-with-a-github-packages-registry/working-with-the-container-registry' },
      { label: 'Deleting and restoring a package', url: 'https://docs.github.com/packages/learn-github-packages/deleting-and-restoring-a-package' },
      { label: 'REST API: packages', url: 'https://docs.github.com/rest/packages/packages' },
    ],
    maxRepositoryDepth: null,
  },
  gitlab: {
    title: 'GitLab Container Registry',
    capabilities: { deleteManifestByDigest: false, deleteTagWithoutDigest: true, meteredManifestGets: false, listsDigestsInOneCall: true },
    settings: { apiBaseUrl: { placeholder: 'https://gitlab.example.com' }, sdkEndpoint: null },
    accountAddresses: 'never',
    nestsRepositories: true,
    createsRepositoriesOnPush: true,
    tagDeletion: {
      api: 'Registry API DELETE /v2/<name>/tags/reference/<tag>, falling back to DELETE /v2/<name>/manifests/<digest>',
      deletesSharedDigestTags: false,
      singleTagDelete: true,
    },
    deletion: {
      digest: {
        call: 'GitLab API DELETE /projects/<id>/registry/repositories/<repository-id>/tags/<tag> for each tag (without an API token: DELETE /v2/<name>/manifests/<tag>, on older GitLab /v2/<name>/tags/reference/<tag>, else DELETE /v2/<name>/manifests/<digest>)',
        effect: 'removes the tags; the untagged manifest stays until garbage collection (by digest: the manifest goes at once)',
        undo: 'reput',
        // Its last fallback deletes by digest.
        removesOtherTags: true,
      },
      untag: {
        call: 'GitLab API DELETE /projects/<id>/registry/repositories/<repository-id>/tags/<tag> (without an API token: DELETE /v2/<name>/manifests/<tag>, on older GitLab /v2/<name>/tags/reference/<tag>)',
        effect: 'removes only that tag; a registry that deletes only by digest skips it',
        undo: 'reput',
      },
      storageNote: 'Untagged manifests and blobs are freed by GitLab\'s registry garbage collection.',
    },
    cleanupCredentials:
      'docker login as a user who may delete images (Developer or higher); in CI gitlab-ci-token with $CI_JOB_TOKEN. The REST API needs a token with the api scope.',
    notes: [
      'The tags/reference delete removes only the tag; when werf falls back to the digest delete, every tag on that digest goes.',
      'Image paths may add at most two components below the project path (GROUP/PROJECT/a/b).',
      "werf's pattern ^gitlab\\.com never matches registry.gitlab.com; werf ci-env gitlab sets the implementation explicitly.",
      'Protected container tags cannot be deleted (403).',
    ],
    docs: [
      { label: 'Container registry', url: 'https://docs.gitlab.com/user/packages/container_registry/' },
      { label: 'Container registry API', url: 'https://docs.gitlab.com/api/container_registry/' },
    ],
    maxRepositoryDepth: null,
  },
  harbor: {
    title: 'Harbor',
    capabilities: { deleteManifestByDigest: true, deleteTagWithoutDigest: true, meteredManifestGets: false, listsDigestsInOneCall: true },
    settings: { apiBaseUrl: { placeholder: 'https://harbor.example.com' }, sdkEndpoint: null },
    accountAddresses: 'never',
    nestsRepositories: true,
    createsRepositoriesOnPush: true,
    tagDeletion: {
      api: 'Registry API DELETE /v2/<name>/manifests/<digest>',
      deletesSharedDigestTags: true,
      singleTagDelete: true,
    },
    deletion: {
      digest: {
        call: 'Harbor API DELETE /projects/<project>/repositories/<repo>/artifacts/<digest>',
        effect: 'removes the artifact and every tag on it; an index takes its untagged children; refused (412) while an index references it or a tag is immutable',
        undo: 'reput',
        removesOtherTags: true,
      },
      untag: { call: 'Harbor API DELETE /projects/<project>/repositories/<repo>/artifacts/<digest>/tags/<tag>', effect: 'removes only that tag; the artifact stays (refused for an immutable tag)', undo: 'reput' },
      storageNote: 'Blobs are freed when Harbor\'s garbage collection runs.',
    },
    cleanupCredentials:
      'docker login as a project admin or maintainer; robot accounts cannot delete through the Registry API. Harbor API calls use HTTP Basic auth.',
    notes: [
      'The first path component is a Harbor project, which must exist; repositories below it are created on push.',
      'Deleting an artifact removes all of its tags; DELETE .../artifacts/<ref>/tags/<tag> removes one tag.',
      'Immutable tags refuse deletion (412 PRECONDITION).',
      'Disk space comes back only after Harbor garbage collection runs.',
    ],
    docs: [
      { label: 'Harbor documentation', url: 'https://goharbor.io/docs/' },
      { label: 'Harbor v2 API (swagger)', url: 'https://github.com/goharbor/harbor/blob/main/api/v2.0/swagger.yaml' },
    ],
    maxRepositoryDepth: null,
  },
  quay: {
    title: 'Quay',
    capabilities: { deleteManifestByDigest: true, deleteTagWithoutDigest: true, meteredManifestGets: false, listsDigestsInOneCall: true },
    settings: { apiBaseUrl: { placeholder: 'https://quay.example.com' }, sdkEndpoint: null },
    accountAddresses: 'always',
    nestsRepositories: false,
    createsRepositoriesOnPush: true,
    tagDeletion: {
      api: 'Registry API DELETE /v2/<name>/manifests/<digest>',
      deletesSharedDigestTags: true,
      singleTagDelete: true,
    },
    deletion: {
      digest: {
        call: 'Quay API DELETE /api/v1/repository/<namespace>/<repo>/tag/<tag> for each tag (robot accounts: DELETE /v2/<name>/manifests/<tag>)',
        effect: 'removes the tags; the manifest stays until Quay garbage-collects it after the time-machine window, and the tags stay restorable from the tag history until then',
        undo: 'native',
      },
      untag: {
        call: 'Quay API DELETE /api/v1/repository/<namespace>/<repo>/tag/<tag> (robot accounts: DELETE /v2/<name>/manifests/<tag>)',
        effect: 'removes only that tag (restorable from the tag history; robot accounts restore by re-PUT)',
        undo: 'native',
      },
      storageNote: "Quay frees untagged manifests only after the namespace's time-machine window.",
    },
    cleanupCredentials:
      'docker login (a robot account with write permission works for /v2); the /api/v1 tag API needs an OAuth token with repo:write.',
    notes: [
      'Only NAMESPACE (multirepo) or NAMESPACE/REPO (monorepo) addresses work: Quay has no nested repositories.',
      'DELETE /api/v1/repository/<ns>/<repo>/tag/<tag> removes one tag; deleted tags stay restorable during the time-machine window.',
      'werf v1.2+ skips tags that fail with TAG_EXPIRED.',
    ],
    docs: [{ label: 'Quay API', url: 'https://docs.projectquay.io/api_quay.html' }],
    maxRepositoryDepth: 2,
  },
};

/** Hosts the documentation links above point at; the UI opens nothing else. */
export const DOC_HOSTS: string[] = [
  'github.com',
  'docs.aws.amazon.com',
  'learn.microsoft.com',
  'docs.docker.com',
  'cloud.google.com',
  'docs.github.com',
  'docs.gitlab.com',
  'goharbor.io',
  'docs.projectquay.io',
];

const PORT_SUFFIX = /:\d+$/;

/**
 * True when `repository` (one path component) names an account or namespace on this registry, not
 * a repository: images then go to `<account>/<image>` (werf's multirepo there).
 */
export function isAccountAddress(info: Pick<ImplementationInfo, 'accountAddresses'>, registry: string, repository: string): boolean {
  if (repository.includes('/')) return false;
  const a = info.accountAddresses;
  if (a === 'always') return true;
  if (a === 'never') return false;
  return a.hosts.includes(registry.replace(PORT_SUFFIX, ''));
}
