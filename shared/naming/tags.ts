import type { Problem } from '../problems';
import { dockerTag, isValidDockerTag } from './slug';

/** werf v1.1 tagging strategies a user can preview (stages-signature is computed by werf, not typed). */
export const TAG_STRATEGIES = ['custom', 'git-branch', 'git-tag', 'git-commit'] as const;

export type TagStrategy = (typeof TAG_STRATEGIES)[number];

export interface TagValue {
  value: string | null;
  problems: Problem[];
}

/** Docker's tag length limit (distribution `reference` tag grammar, `{0,127}` after the first character). */
export const TAG_MAX_LENGTH = 128;

const COMMIT_SHA = /^(?:[0-9a-f]{7,40}|[0-9a-f]{64})$/;
const FULL_REF = /^refs\/(?:heads|tags)\//;

export function isTagStrategy(value: string): value is TagStrategy {
  return (TAG_STRATEGIES as readonly string[]).includes(value);
}

function badParameter(flag: string, raw: string): Problem {
  return {
    severity: 'error',
    code: 'tag-invalid',
    message: `bad --tag-${flag} parameter '${raw}' specified: docker tag should comply with regex '^[\\w][\\w.-]*$' and be maximum 128 chars`,
    hint: 'Use letters, digits, "_", "." and "-", start with a letter, digit or "_", and stay within 128 characters.',
  };
}

/**
 * Turns what the user typed (or what CI provides) into the tag werf would publish.
 *
 * werf's `--tag-*` flags validate and never slug. Branch and tag names come from git, though, and
 * `werf ci-env` passes them through `DockerTag` before they reach the flags, so those two are
 * slugged here exactly as ci-env does; custom and commit values are validated like the flags.
 */
export function tagValue(strategy: TagStrategy, raw: string): TagValue {
  const problems: Problem[] = [];
  switch (strategy) {
    case 'custom':
    case 'git-commit': {
      // isValidDockerTag lets "" through (werf's slug helpers treat it as "nothing to do"), but
      // werf's flag check rejects an empty tag, so it is refused here first.
      if (raw === '' || !isValidDockerTag(raw)) return { value: null, problems: [badParameter(strategy, raw)] };
      if (strategy === 'git-commit' && !COMMIT_SHA.test(raw)) {
        problems.push({
          severity: 'warning',
          code: 'tag-not-commit-sha',
          message: `git-commit tag '${raw}' is not a lowercase hexadecimal commit hash`,
          hint: 'werf accepts any valid tag here, but its legacy cleanup deletes git-commit tags whose commit does not exist, so this tag would go at the next cleanup. Use the full 40-character hash.',
        });
      }
      return { value: raw, problems };
    }
    case 'git-branch':
    case 'git-tag': {
      if (raw === '') {
        const what = strategy === 'git-branch' ? 'branch' : 'tag';
        return {
          value: null,
          problems: [{ severity: 'error', code: 'tag-empty', message: `The git ${what} name is empty`, hint: `Enter the git ${what} to preview.` }],
        };
      }
      if (FULL_REF.test(raw)) {
        problems.push({
          severity: 'warning',
          code: 'tag-full-ref',
          message: `'${raw}' is a full git ref; werf ci-env uses the short name (CI_COMMIT_REF_NAME)`,
          hint: `Use '${raw.replace(FULL_REF, '')}' unless your pipeline really passes the full ref.`,
        });
      }
      return { value: dockerTag(raw), problems };
    }
  }
  // Strategies also arrive from saved settings and the CLI, where the type is only a promise.
  return {
    value: null,
    problems: [{ severity: 'error', code: 'tag-strategy-invalid', message: `Unknown tagging strategy '${String(strategy)}'`, hint: `Use one of: ${TAG_STRATEGIES.join(', ')}.` }],
  };
}
