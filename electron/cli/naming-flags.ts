// The preview's naming flags, shared by `stowage preview` and `stowage publish` so the two
// commands cannot drift apart. No imports: cli/main.ts loads this at start-up.

export const NAMING_OPTIONS = {
  'images-repo': { type: 'string', short: 'i' },
  'images-repo-mode': { type: 'string' },
  implementation: { type: 'string' },
  'tag-custom': { type: 'string', multiple: true },
  'tag-git-branch': { type: 'string' },
  'tag-git-tag': { type: 'string' },
  'tag-git-commit': { type: 'string' },
} as const;

export const NAMING_USAGE = '[--tag-custom T]... [--tag-git-branch B] [--tag-git-tag T] [--tag-git-commit SHA]';
