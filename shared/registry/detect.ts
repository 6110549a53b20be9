import type { Problem } from '../problems';
import type { Implementation } from './implementations';
import { detectRegistered } from './implementation-registry';

export interface EcrDetails {
  accountId: string;
  region: string;
  fips: boolean;
  chinaPartition: boolean;
  dualStack: boolean;
}

export interface AcrDetails {
  registryName: string;
  cloud: 'public' | 'china' | 'usgov';
}

export interface GcrDetails {
  kind: 'gcr' | 'artifact-registry';
  location?: string;
  project?: string;
}

export interface GithubDetails {
  host: 'ghcr.io' | 'docker.pkg.github.com';
  owner?: string;
}

export interface DetectionDetails {
  ecr?: EcrDetails;
  acr?: AcrDetails;
  gcr?: GcrDetails;
  github?: GithubDetails;
}

export interface Detection {
  /** The address after clean-up (spaces, scheme, tag/digest and trailing `/` removed). */
  address: string;
  implementation: Implementation;
  /** host[:port], lower-cased; `docker.io` and bare Hub paths become `index.docker.io`. */
  registry: string;
  /**
   * Path after the host, or null. For `index.docker.io` a single component gets werf's implicit
   * `library/` (go-containerregistry does this), so `flant` reads as `library/flant`: the repo-mode
   * resolver then applies werf's `library` rule to exactly what werf sees.
   */
  repository: string | null;
  reason: string;
  /** What werf's own (unanchored, v1.2 pattern list) detection picks, so the UI can show a difference. */
  werfWouldSay: Implementation;
  details?: DetectionDetails;
}

export interface ParsedImagesRepo {
  /** Cleaned address: what the naming templates are applied to. */
  address: string;
  /** host[:port], lower-cased, `docker.io` → `index.docker.io`; '' when the input is empty. */
  registry: string;
  /** The path exactly as written after the host (no implicit `library/`), or null. */
  repository: string | null;
  problems: Problem[];
}

export const DOCKER_HUB_REGISTRY = 'index.docker.io';

/** Hosts that are the Docker Hub registry. `docker.io` is normalised before this set is consulted. */
export const DOCKER_HUB_HOSTS: ReadonlySet<string> = new Set([
  DOCKER_HUB_REGISTRY,
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const WHITESPACE = /\s/;
const ALL_WHITESPACE = /\s+/g;
const TRAILING_SLASHES = /\/+$/;
const PORT = /^\d{1,5}$/;
const HOSTNAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

function problem(severity: Problem['severity'], code: string, message: string, hint?: string): Problem {
  return hint === undefined ? { severity, code, message } : { severity, code, message, hint };
}

function splitHostPort(hostPort: string): { host: string; port: string | null } {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end < 0) return { host: hostPort, port: null };
    const rest = hostPort.slice(end + 1);
    return { host: hostPort.slice(0, end + 1), port: rest.startsWith(':') ? rest.slice(1) : rest === '' ? null : rest };
  }
  const colon = hostPort.lastIndexOf(':');
  return colon < 0 ? { host: hostPort, port: null } : { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

/**
 * werf's rule (§2 step 1, go-containerregistry underneath): the first component is a host iff it
 * contains `.` or `:`. We also accept a bare `localhost`, as docker does, because nobody means a
 * Docker Hub account called "localhost"; werf itself would read it as Docker Hub.
 */
function isHostComponent(first: string): boolean {
  return first.includes('.') || first.includes(':') || first.toLowerCase() === 'localhost';
}

function isWerfHostComponent(first: string): boolean {
  return first.includes('.') || first.includes(':');
}

function normaliseRegistry(written: string, problems: Problem[]): string {
  const lower = written.toLowerCase();
  const { host, port } = splitHostPort(lower);
  const hostOk = HOSTNAME.test(host) || IPV6.test(host);
  const portOk = port === null || (PORT.test(port) && Number(port) > 0 && Number(port) <= 65535);
  if (!hostOk || !portOk) {
    problems.push(
      problem(
        'error',
        'images-repo-invalid-host',
        `"${written}" is not a valid registry host${portOk ? '' : ` (bad port "${port ?? ''}")`}`,
        'Write the registry as HOST or HOST:PORT, for example registry.example.com or localhost:5000.',
      ),
    );
  }
  return lower === 'docker.io' ? DOCKER_HUB_REGISTRY : lower;
}

/**
 * Splits an images-repo address into registry and path and reports what werf would choke on.
 * It salvages what it can (scheme, tag and digest are removed) so detection still works while the
 * user is typing; the problems say what was wrong.
 */
export function parseImagesRepo(input: string): ParsedImagesRepo {
  const problems: Problem[] = [];
  let s = input.trim();
  if (s === '') {
    problems.push(
      problem('error', 'images-repo-empty', '--images-repo REPO param required', 'Enter a registry address such as registry.example.com/project.'),
    );
    return { address: '', registry: '', repository: null, problems };
  }
  if (s !== input) {
    problems.push(problem('warning', 'images-repo-whitespace', 'Spaces around the images repo address were removed.'));
  }
  if (WHITESPACE.test(s)) {
    problems.push(
      problem('error', 'images-repo-whitespace', `Images repo "${s}" contains spaces`, 'Registry addresses cannot contain spaces; remove them.'),
    );
    s = s.replace(ALL_WHITESPACE, '');
  }

  const scheme = SCHEME.exec(s);
  if (scheme) {
    problems.push(
      problem(
        'warning',
        'images-repo-scheme',
        `"${scheme[0]}" was removed from the images repo: registry addresses have no scheme`,
        'werf would reject the address with the scheme; write it as HOST/PATH.',
      ),
    );
    s = s.slice(scheme[0].length);
  }

  const at = s.indexOf('@');
  if (at >= 0) {
    problems.push(
      problem(
        'error',
        'images-repo-digest',
        `Images repo "${s}" contains a digest (${s.slice(at)})`,
        'The images repo is a repository; werf adds the tags itself. Remove the @digest part.',
      ),
    );
    s = s.slice(0, at);
  }
  s = s.replace(TRAILING_SLASHES, '');

  const lastSlash = s.lastIndexOf('/');
  if (lastSlash >= 0) {
    const colon = s.indexOf(':', lastSlash + 1);
    if (colon >= 0) {
      problems.push(tagProblem(s, s.slice(colon)));
      s = s.slice(0, colon).replace(TRAILING_SLASHES, '');
    }
  } else {
    // Without a slash, `name:5000` is a host and port while `name:latest` is a Hub repo with a tag.
    const { port } = splitHostPort(s);
    if (port !== null && !PORT.test(port)) {
      const colon = s.lastIndexOf(':');
      problems.push(tagProblem(s, s.slice(colon)));
      s = s.slice(0, colon);
    }
  }

  if (s === '') {
    problems.push(problem('error', 'images-repo-empty', '--images-repo REPO param required'));
    return { address: '', registry: '', repository: null, problems };
  }

  const parts = s.split('/');
  const hasHost = isHostComponent(parts[0]);
  const registry = hasHost ? normaliseRegistry(parts[0], problems) : DOCKER_HUB_REGISTRY;
  const pathParts = hasHost ? parts.slice(1) : parts;
  if (pathParts.includes('')) {
    problems.push(
      problem('error', 'images-repo-empty-component', `Images repo "${s}" has an empty path component`, 'Remove the doubled or leading "/".'),
    );
  }
  const path = pathParts.filter((p) => p !== '').join('/');
  return { address: s, registry, repository: path === '' ? null : path, problems };
}

function tagProblem(address: string, tag: string): Problem {
  return problem(
    'error',
    'images-repo-tag',
    `Images repo "${address}" contains a tag (${tag})`,
    'The images repo is a repository; werf adds the tags itself. Remove the :tag part.',
  );
}

// ---------------------------------------------------------------------------------------------
// werf's own detection, reproduced so the UI can say where Stowage disagrees.

interface WerfRule {
  implementation: Implementation;
  patterns: RegExp[];
}

// Go regexps from werf 1.1/1.2 (§2), kept unanchored at the end and case-sensitive on purpose:
// that is how werf matches, and these are the quirks we want to report, not fix.
const WERF_RULES: readonly WerfRule[] = [
  { implementation: 'ecr', patterns: [/^(\d{12})\.dkr\.ecr(-fips)?\.([a-zA-Z0-9][a-zA-Z0-9-_]*)\.amazonaws\.com(\.cn)?$/] },
  { implementation: 'acr', patterns: [/^.*\.azurecr\.io/] },
  { implementation: 'dockerhub', patterns: [/^index\.docker\.io/, /^registry\.hub\.docker\.com/] },
  { implementation: 'gcr', patterns: [/^container\.cloud\.google\.com/, /^gcr\.io/, /^.*\.gcr\.io/] },
  // ghcr.io arrived in v1.2; v1.1 resolves it to default. We report the v1.2 answer.
  { implementation: 'github', patterns: [/^docker\.pkg\.github\.com/, /^ghcr\.io/] },
  { implementation: 'gitlab', patterns: [/^gitlab\.com/] },
  { implementation: 'harbor', patterns: [/^harbor\..*/] },
  { implementation: 'quay', patterns: [/^quay\.io/, /^quay\..*\.com/] },
];

interface WerfVerdict {
  implementation: Implementation;
  registry: string;
  pattern: string | null;
}

/** The registry string werf matches: the first component as written, or Hub. */
function werfRegistryOf(address: string): string {
  const slash = address.indexOf('/');
  const first = slash < 0 ? address : address.slice(0, slash);
  if (!isWerfHostComponent(first)) return DOCKER_HUB_REGISTRY;
  return first === 'docker.io' ? DOCKER_HUB_REGISTRY : first;
}

function werfDetect(address: string): WerfVerdict {
  const registry = werfRegistryOf(address);
  for (const rule of WERF_RULES) {
    for (const pattern of rule.patterns) {
      if (pattern.test(registry)) return { implementation: rule.implementation, registry, pattern: pattern.source };
    }
  }
  return { implementation: 'default', registry, pattern: null };
}

// ---------------------------------------------------------------------------------------------
// Stowage's detection: werf's order, but end-anchored and covering the hosts werf misses.

interface Match {
  implementation: Implementation;
  reason: string;
  details?: DetectionDetails;
}

interface HostContext {
  /** Host without port, lower-cased. */
  host: string;
  registry: string;
  path: string[];
  hostWritten: boolean;
}

// From awslabs/amazon-ecr-credential-helper (ecrPattern): FIPS, China, dual-stack `dkr-ecr.<region>.on.aws`,
// EU sovereign and the ISO partitions. werf 1.1/1.2 only knows `.amazonaws.com(.cn)`.
const ECR_HOST =
  /^(\d{12})\.dkr[.-]ecr(-fips)?\.([a-z0-9][a-z0-9_-]*)\.(amazonaws\.(?:com(?:\.cn)?|eu)|on\.(?:aws|amazonwebservices\.com\.cn)|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$/;
const ECR_LOOSE = /^(\d+)\.dkr[.-]ecr(?:-fips)?\./;
const ECR_PUBLIC = /^(?:public\.ecr\.aws|ecr-public\.aws\.com)$/;
const ACR_HOST = /^([a-z0-9]+)\.azurecr\.(io|cn|us)$/;
const ACR_SUFFIX = /\.azurecr\.(?:io|cn|us)$/;
const ACR_INSIDE = /\.azurecr\.(?:io|cn|us)\./;
const GCR_HOST = /^(?:([a-z0-9-]+(?:\.[a-z0-9-]+)*)\.)?gcr\.io$/;
const ARTIFACT_REGISTRY_HOST = /^([a-z0-9-]+)-docker\.pkg\.dev$/;
const GITLAB_SELF_MANAGED = /^registry\.gitlab\.[a-z0-9-]+(?:\.[a-z0-9-]+)*$/;
const HARBOR_HOST = /^harbor\.[a-z0-9-]+(?:\.[a-z0-9-]+)*$/;
const QUAY_HOST = /^quay\.(?:[a-z0-9-]+\.)+com$/;
const LOOPBACK_V4 = /^127(?:\.\d{1,3}){3}$/;

const GCR_LOCATIONS: ReadonlySet<string> = new Set(['us', 'eu', 'asia']);
const ACR_CLOUDS = { io: 'public', cn: 'china', us: 'usgov' } as const;
const ACR_CLOUD_LABEL = { public: 'Azure public cloud', china: 'Azure China', usgov: 'Azure US Government' } as const;

type Rule = (ctx: HostContext) => Match | null;

const RULES: readonly Rule[] = [
  ({ host }) => {
    const m = ECR_HOST.exec(host);
    if (!m) return null;
    const suffix = m[4];
    const ecr: EcrDetails = {
      accountId: m[1],
      region: m[3],
      fips: m[2] !== undefined,
      chinaPartition: suffix.endsWith('.cn'),
      dualStack: suffix.startsWith('on.'),
    };
    const flavours = [ecr.fips ? 'FIPS endpoint' : '', ecr.dualStack ? 'dual-stack endpoint' : '', ecr.chinaPartition ? 'China partition' : '']
      .filter((f) => f !== '')
      .join(', ');
    return {
      implementation: 'ecr',
      reason: `Amazon ECR private registry of account ${ecr.accountId} in ${ecr.region}${flavours ? ` (${flavours})` : ''}.`,
      details: { ecr },
    };
  },
  ({ host }) => {
    const m = ACR_HOST.exec(host);
    if (!m) return null;
    const cloud = ACR_CLOUDS[m[2] as keyof typeof ACR_CLOUDS];
    return {
      implementation: 'acr',
      reason: `Azure Container Registry "${m[1]}" (${ACR_CLOUD_LABEL[cloud]}).`,
      details: { acr: { registryName: m[1], cloud } },
    };
  },
  ({ host, registry, path, hostWritten }) => {
    if (!hostWritten) {
      const werfPath = path.length === 1 ? `library/${path[0]}` : path.join('/');
      return {
        implementation: 'dockerhub',
        reason: `The first path component has no "." or ":", so it is not a host: the address is a Docker Hub path, which docker and werf read as ${DOCKER_HUB_REGISTRY}/${werfPath}.`,
      };
    }
    return DOCKER_HUB_HOSTS.has(host) ? { implementation: 'dockerhub', reason: `Docker Hub registry host ${registry}.` } : null;
  },
  ({ host, path }) => {
    const project = path[0];
    const ar = ARTIFACT_REGISTRY_HOST.exec(host);
    if (ar) {
      const gcr: GcrDetails = project === undefined ? { kind: 'artifact-registry', location: ar[1] } : { kind: 'artifact-registry', location: ar[1], project };
      return { implementation: 'gcr', reason: `Google Artifact Registry (Docker format) in ${ar[1]}.`, details: { gcr } };
    }
    const m = GCR_HOST.exec(host);
    if (!m && host !== 'container.cloud.google.com') return null;
    const sub = m?.[1];
    const gcr: GcrDetails = { kind: 'gcr' };
    if (sub !== undefined && GCR_LOCATIONS.has(sub)) gcr.location = sub;
    if (project !== undefined) gcr.project = project;
    return { implementation: 'gcr', reason: `Google Container Registry host ${host} (now served by Artifact Registry).`, details: { gcr } };
  },
  ({ host, path }) => {
    if (host !== 'ghcr.io' && host !== 'docker.pkg.github.com') return null;
    const github: GithubDetails = path[0] === undefined ? { host } : { host, owner: path[0] };
    const reason =
      host === 'ghcr.io'
        ? 'GitHub Container Registry (ghcr.io). werf v1.2+ detects it; werf v1.1 would treat it as default.'
        : 'GitHub Packages Docker registry (docker.pkg.github.com), deprecated and migrated to ghcr.io.';
    return { implementation: 'github', reason, details: { github } };
  },
  ({ host }) => {
    if (host === 'registry.gitlab.com') return { implementation: 'gitlab', reason: 'GitLab.com container registry.' };
    if (host === 'gitlab.com') {
      return {
        implementation: 'gitlab',
        reason: "gitlab.com matches werf's GitLab pattern, but it is GitLab's web host: GitLab.com's registry is registry.gitlab.com.",
      };
    }
    if (GITLAB_SELF_MANAGED.test(host)) {
      return { implementation: 'gitlab', reason: `${host} follows GitLab's naming for a self-managed registry (registry.gitlab.<domain>).` };
    }
    return null;
  },
  ({ host }) => {
    if (host === 'demo.goharbor.io') return { implementation: 'harbor', reason: 'Harbor demo server.' };
    if (!HARBOR_HOST.test(host)) return null;
    return { implementation: 'harbor', reason: 'The host starts with "harbor." (a naming convention werf relies on; Harbor can run on any host).' };
  },
  ({ host }) => {
    if (host === 'quay.io') return { implementation: 'quay', reason: 'quay.io, the hosted Quay registry.' };
    if (!QUAY_HOST.test(host)) return null;
    return { implementation: 'quay', reason: `${host} looks like a Quay installation (quay.<domain>.com).` };
  },
  ({ host, registry }) => {
    if (host !== 'localhost' && host !== '[::1]' && !LOOPBACK_V4.test(host)) return null;
    return { implementation: 'default', reason: `${registry} is a registry on this machine; the generic Docker Registry API is used.` };
  },
];

/**
 * A sentence about hosts that are almost, but not quite, a known registry. Shown next to the
 * address; null when there is nothing to say.
 */
export function registryHostCaution(registry: string): string | null {
  const { host } = splitHostPort(registry);
  const ecr = ECR_LOOSE.exec(host);
  if (ecr && !ECR_HOST.test(host)) {
    return ecr[1].length !== 12
      ? `${host} looks like an Amazon ECR host, but an AWS account id has exactly 12 digits (this one has ${ecr[1].length}).`
      : `${host} looks like an Amazon ECR host, but its region or domain suffix is not one ECR uses.`;
  }
  if (ECR_PUBLIC.test(host)) {
    return `${host} is Amazon ECR Public; werf's ecr implementation only speaks to private ECR, so it is treated as a generic registry.`;
  }
  if (ACR_INSIDE.test(host)) {
    return `${host} contains an Azure Container Registry domain but does not end with it, so it is not ACR.`;
  }
  if (ACR_SUFFIX.test(host) && !ACR_HOST.test(host)) {
    return `${host} is not an ACR login server (<name>.azurecr.io); data endpoints and other sub-hosts cannot be used as the images repo.`;
  }
  if (host === 'hub.docker.com') {
    return 'hub.docker.com is the Docker Hub website, not its registry: write the address as ACCOUNT or ACCOUNT/REPO (or docker.io/ACCOUNT).';
  }
  if (host === 'gitlab.com') {
    return "gitlab.com is GitLab's web host; pushes go to registry.gitlab.com/<group>/<project>.";
  }
  return null;
}

function werfDifference(ours: Implementation, werf: WerfVerdict): string {
  if (werf.implementation === ours) return '';
  if (werf.pattern === null) return ` werf would use "default": none of its host patterns match ${werf.registry}.`;
  let why = '';
  if (werf.registry === DOCKER_HUB_REGISTRY) why = ' (werf reads the address as a Docker Hub path)';
  else if (ours === 'default' && !werf.pattern.endsWith('$')) why = ' (its patterns are not anchored at the end of the host)';
  return ` werf would use "${werf.implementation}": its pattern ${werf.pattern} matches "${werf.registry}"${why}.`;
}

/** Detects the implementation from an already parsed address (lets callers parse once). */
export function detectParsed(parsed: ParsedImagesRepo): Detection {
  const werf = werfDetect(parsed.address);
  const slash = parsed.address.indexOf('/');
  const first = slash < 0 ? parsed.address : parsed.address.slice(0, slash);
  const hostWritten = parsed.address !== '' && isHostComponent(first);
  const { host } = splitHostPort(parsed.registry);
  const path = parsed.repository === null ? [] : parsed.repository.split('/');

  let match: Match | null = null;
  if (parsed.address === '') {
    match = { implementation: 'default', reason: 'No address given.' };
  } else {
    const ctx: HostContext = { host, registry: parsed.registry, path, hostWritten };
    for (const rule of RULES) {
      match = rule(ctx);
      if (match) break;
    }
    // Implementations registered at runtime come after werf's own rules, which keep their order.
    match ??= detectRegistered(host);
  }
  if (!match) {
    const caution = registryHostCaution(parsed.registry);
    match = {
      implementation: 'default',
      reason: `${caution ? `${caution} ` : ''}No known registry host pattern matches ${host}; the generic Docker Registry API is used.`,
    };
  }

  // go-containerregistry puts single-component Hub paths under `library/`; werf's resolver depends on it.
  let repository = parsed.repository;
  if (repository !== null && parsed.registry === DOCKER_HUB_REGISTRY && !repository.includes('/')) {
    repository = `library/${repository}`;
  }

  const detection: Detection = {
    address: parsed.address,
    implementation: match.implementation,
    registry: parsed.registry,
    repository,
    reason: match.reason + werfDifference(match.implementation, werf),
    werfWouldSay: werf.implementation,
  };
  if (match.details) detection.details = match.details;
  return detection;
}

export function detectImplementation(address: string): Detection {
  return detectParsed(parseImagesRepo(address));
}
