import type { DocLink } from '../registry/catalogue';
import type { BuiltinImplementation } from '../registry/implementations';

/** What the credential form asks for, per implementation. */
export interface CredentialForm {
  /** Label of the user-name field; null when the implementation needs none. */
  username: string | null;
  usernamePlaceholder?: string;
  secret: string;
}

export interface CredentialGuide {
  /** What each operation needs. */
  read: string;
  push: string;
  delete: string;
  /** Where the credential is created. */
  createAt: DocLink;
  /** The exact scopes, roles or permissions, as the vendor names them. */
  scopes: string[];
  /** Credentials Stowage picks up without being told (read, never rewritten). */
  ambient: string[];
  /** Traps users hit. */
  pitfalls: string[];
  form: CredentialForm;
  docs: DocLink[];
}

export const CREDENTIAL_GUIDES: Record<BuiltinImplementation, CredentialGuide> = {
  default: {
    read: 'A user with pull access (anonymous works when the registry allows it).',
    push: 'A user with push access.',
    delete: 'A user with delete access, and the registry running with deletes enabled (distribution: storage.delete.enabled: true).',
    createAt: { label: 'distribution: authentication', url: 'https://github.com/distribution/distribution/blob/main/docs/content/about/configuration.md' },
    scopes: ['repository:<name>:pull', 'repository:<name>:push', 'repository:<name>:delete'],
    ambient: ['docker login (~/.docker/config.json, credential helpers)', 'DOCKER_AUTH_CONFIG'],
    pitfalls: ['A token server may grant fewer actions than asked for without saying so; Test connection compares them.', 'Deleting by digest removes every tag on that digest.'],
    form: { username: 'User name', secret: 'Password or token' },
    docs: [],
  },
  ecr: {
    read: 'ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:DescribeImages (AmazonEC2ContainerRegistryReadOnly).',
    push: 'Also ecr:InitiateLayerUpload … ecr:PutImage (AmazonEC2ContainerRegistryPowerUser). ECR does not create repositories on push: create one per image first.',
    delete: 'ecr:BatchDeleteImage. PowerUser cannot delete; use a policy that grants BatchDeleteImage (or FullAccess).',
    createAt: { label: 'IAM policies for ECR', url: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html' },
    scopes: ['ecr:GetAuthorizationToken', 'ecr:DescribeImages', 'ecr:BatchDeleteImage'],
    ambient: ['AWS credential chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws/credentials and config, SSO, web identity', 'docker-credential-ecr-login'],
    pitfalls: ['Registry passwords from GetAuthorizationToken expire after 12 hours: Stowage asks AWS again instead of saving them.', 'Cross-account repositories need the registry id (the account in the host); Stowage always sends it.'],
    form: { username: 'Access key ID', usernamePlaceholder: 'AKIA…', secret: 'Secret access key' },
    docs: [{ label: 'BatchDeleteImage', url: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchDeleteImage.html' }],
  },
  acr: {
    read: 'AcrPull (or Reader).',
    push: 'AcrPush.',
    delete: 'AcrDelete, Contributor or Owner; with ABAC-enabled registries the "Container Registry Repository Contributor" role.',
    createAt: { label: 'ACR roles and permissions', url: 'https://learn.microsoft.com/azure/container-registry/container-registry-roles' },
    scopes: ['AcrPull', 'AcrPush', 'AcrDelete'],
    ambient: ['az login (DefaultAzureCredential: environment, workload identity, managed identity, Azure CLI)', 'docker login with the admin user or a repository-scoped token'],
    pitfalls: ['The admin user can delete everything; prefer a service principal with AcrDelete.', 'Repository-scoped tokens need content/delete to delete.'],
    form: { username: 'User name (admin user, token name or service principal id)', secret: 'Password or secret' },
    docs: [{ label: 'Delete images in ACR', url: 'https://learn.microsoft.com/azure/container-registry/container-registry-delete' }],
  },
  dockerhub: {
    read: 'Your Docker ID and a personal access token with Read (public repositories need none).',
    push: 'A personal access token with Read & Write.',
    delete: 'A personal access token with Read, Write, Delete. Organization access tokens cannot delete tags.',
    createAt: { label: 'Create a personal access token', url: 'https://docs.docker.com/security/access-tokens/' },
    scopes: ['Read', 'Write', 'Delete'],
    ambient: ['docker login (key https://index.docker.io/v1/)', 'WERF_REPO_DOCKER_HUB_USERNAME / _PASSWORD / _TOKEN'],
    pitfalls: ['GETs of manifests count against pull limits; Stowage uses HEAD.', 'werf v1.1 ignores --images-repo-docker-hub-token for the images repo; use username and password there.'],
    form: { username: 'Docker ID', secret: 'Personal access token' },
    docs: [{ label: 'Access token permissions', url: 'https://docs.docker.com/security/access-tokens/reference/' }],
  },
  gcr: {
    read: 'Artifact Registry Reader (roles/artifactregistry.reader).',
    push: 'Artifact Registry Writer. The repository must exist in Artifact Registry before the first push.',
    delete: 'Artifact Registry Repository Administrator (roles/artifactregistry.repoAdmin). Writer cannot delete.',
    createAt: { label: 'Artifact Registry access control', url: 'https://cloud.google.com/artifact-registry/docs/access-control' },
    scopes: ['roles/artifactregistry.reader', 'roles/artifactregistry.writer', 'roles/artifactregistry.repoAdmin'],
    ambient: ['GOOGLE_OAUTH_ACCESS_TOKEN', 'docker-credential-gcloud (gcloud auth configure-docker)'],
    pitfalls: ['Access tokens last about an hour.', 'Deleting a digest that still has tags fails with GOOGLE_MANIFEST_DANGLING_TAG; untag first.'],
    form: { username: null, secret: 'OAuth access token (gcloud auth print-access-token)' },
    docs: [],
  },
  github: {
    read: 'A classic personal access token with read:packages.',
    push: 'Also write:packages.',
    delete: 'Also delete:packages. Fine-grained tokens and the Actions GITHUB_TOKEN cannot delete package versions of other repositories.',
    createAt: { label: 'Working with the Container registry', url: 'https://docs.github.com/packages/working-with-a-github-packages-registry/working-with-the-container-registry' },
    scopes: ['read:packages', 'write:packages', 'delete:packages'],
    ambient: ['GITHUB_TOKEN (with GITHUB_ACTOR)', 'WERF_REPO_GITHUB_TOKEN', 'docker login ghcr.io'],
    pitfalls: ['A package version is a digest: deleting it removes every tag of that version.', 'User-owned packages can only be deleted with that user\'s token.'],
    form: { username: 'GitHub user name', secret: 'Personal access token (classic)' },
    docs: [{ label: 'Deleting a package', url: 'https://docs.github.com/packages/learn-github-packages/deleting-and-restoring-a-package' }],
  },
  gitlab: {
    read: 'A token with read_registry (deploy token, project access token or personal access token).',
    push: 'write_registry and at least the Developer role.',
    delete: 'A personal or project access token with the api scope and the Developer or Maintainer role; CI_JOB_TOKEN cannot delete through the API.',
    createAt: { label: 'GitLab container registry', url: 'https://docs.gitlab.com/user/packages/container_registry/' },
    scopes: ['read_registry', 'write_registry', 'api'],
    ambient: ['CI_REGISTRY_USER / CI_REGISTRY_PASSWORD, CI_JOB_TOKEN (as gitlab-ci-token)', 'docker login registry.gitlab.com'],
    pitfalls: ['Self-managed GitLab: set the API base URL (e.g. https://gitlab.example.com) so the API checks reach the right host.'],
    form: { username: 'User name', secret: 'Access token' },
    docs: [{ label: 'Container registry API', url: 'https://docs.gitlab.com/api/container_registry/' }],
  },
  harbor: {
    read: 'A project member (Guest or above) or a robot account with pull.',
    push: 'Developer or above, or a robot with push.',
    delete: 'Maintainer or Project Admin, or a robot account with artifact delete.',
    createAt: { label: 'Harbor robot accounts', url: 'https://goharbor.io/docs/' },
    scopes: ['repository:pull', 'repository:push', 'artifact:delete'],
    ambient: ['docker login <harbor host>'],
    pitfalls: ['Robot accounts cannot delete through the Registry API; Stowage uses Harbor\'s own API.', 'Set the API base URL when Harbor\'s API is not on the registry host.'],
    form: { username: 'User name or robot$name', secret: 'Password or robot secret' },
    docs: [],
  },
  quay: {
    read: 'A robot account or user with read on the repository.',
    push: 'Write on the repository.',
    delete: 'An OAuth application token with repo:write (or admin) for the API; robot accounts work for docker login only.',
    createAt: { label: 'Quay API and OAuth tokens', url: 'https://docs.projectquay.io/api_quay.html' },
    scopes: ['repo:read', 'repo:write'],
    ambient: ['docker login quay.io'],
    pitfalls: ['Quay may answer with two challenges (Basic and Bearer) in one header.'],
    form: { username: 'User or robot name', secret: 'Password, robot token or OAuth token' },
    docs: [],
  },
};
