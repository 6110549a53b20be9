import type { CheckStatus } from '../../../../shared/credentials/types';
import { repositoryScope } from '../../../../shared/registry/auth-challenge';
import { NOT_A_TAG_LIST_HINT, parseTagList } from '../../inventory/registry-api';
import { httpError } from '../errors';
import type { DeleteVerdict } from '../permissions/types';
import type { CheckStepDef, Outcome } from './state';
import { fromError, noRepository } from './state';

/** 8. One page of tags, read with the inventory's own parser; a 404 says whether a push would create the repository. */
export const listTagsStep: CheckStepDef = {
  name: 'list-tags',
  async run(state) {
    const skipped = noRepository(state, 'there is no single repository to list.');
    if (skipped) return skipped;
    const { driver, auth, registry } = state;
    const repository = state.repository!;
    const path = `/v2/${repository}/tags/list?n=100`;
    const r = await auth.request({ method: 'GET', path, scopes: [repositoryScope(repository, ['pull'])], headers: { accept: 'application/json' }, maxBytes: 4 * 1024 * 1024, ...(state.signal ? { signal: state.signal } : {}) });
    if (!r.outcome.ok) return fromError(r.outcome.error);
    const res = r.outcome.response;
    const call = `GET /v2/${repository}/tags/list`;
    if (res.status === 200) {
      // The inventory's own parser: what passes here is what `tags` and the Inventory can read.
      const parsed = parseTagList(res.body);
      if (!parsed.ok) return { status: 'fail', detail: `${call} → 200, but ${parsed.error}`, hint: NOT_A_TAG_LIST_HINT, httpStatus: 200 };
      state.repositoryExists = true;
      const tags = parsed.value.tags.map((t) => t.tag);
      const more = res.headers.get('link')?.includes('rel="next"') ? ' (more pages follow)' : '';
      const sample = tags.slice(0, 5).join(', ') + (tags.length > 5 ? ', …' : '');
      return { status: 'pass', detail: `${call} → 200: ${tags.length === 0 ? 'no tags yet' : `${tags.length} tag${tags.length === 1 ? '' : 's'}${more}: ${sample}`}`, httpStatus: 200 };
    }
    const e = fromError(httpError({ method: 'GET', url: res.url, status: res.status, body: res.body, contentType: res.headers.get('content-type'), what: call }));
    if (res.status === 404) {
      state.repositoryExists = false;
      if (!driver.info.createsRepositoriesOnPush) {
        return {
          ...e,
          status: 'fail',
          detail: `${e.detail}: the repository does not exist yet, and ${driver.info.title} does not create repositories on push`,
          hint: driver.missingRepositoryHint?.(repository, state.details?.ecr?.region) ?? `Create ${repository} in the registry before publishing.`,
        };
      }
      const created: Outcome = { status: 'pass', detail: `${e.detail}: the repository does not exist yet; the first push creates it`, httpStatus: 404 };
      if (e.registryError !== undefined) created.registryError = e.registryError;
      return created;
    }
    if (res.status === 401 || res.status === 403) {
      e.hint = auth.login.kind === 'anonymous' ? `${repository} is not public: log in to ${registry} to read it.` : `This credential may not read ${repository}: check the path, or ask for pull access.`;
    }
    return e;
  },
};

function verdictStatus(v: DeleteVerdict): CheckStatus {
  return v === 'allowed' ? 'pass' : v === 'unknown' ? 'warn' : 'fail';
}

/** 9. May this credential delete: the driver's own probe, which never deletes anything. */
export const deletePermissionStep: CheckStepDef = {
  name: 'delete-permission',
  async run(state) {
    const skipped = noRepository(state, 'there is no single repository to probe.');
    if (skipped) return skipped;
    const r = await state.driver.deleteProbe.probe({
      implementation: state.implementation,
      registry: state.registry,
      repository: state.repository!,
      baseUrl: state.baseUrl,
      settings: state.settings,
      credential: state.credential,
      login: state.auth.login,
      http: state.http,
      auth: state.auth,
      scheme: state.auth.scheme ?? state.scheme!,
      ...(state.details?.ecr ? { ecr: state.details.ecr } : {}),
      sdkTimeouts: state.sdkTimeouts,
      deleteToken: state.deleteToken,
      repositoryExists: state.repositoryExists,
      ...(state.signal ? { signal: state.signal } : {}),
      redact: (v) => state.redactor.add(v),
    });
    const o: Outcome = { status: verdictStatus(r.verdict), detail: r.detail, ...(r.verdict === 'unknown' ? { undetermined: true as const } : {}) };
    if (r.hint !== undefined) o.hint = r.hint;
    if (r.httpStatus !== undefined) o.httpStatus = r.httpStatus;
    if (r.registryError !== undefined) o.registryError = r.registryError;
    return o;
  },
};
