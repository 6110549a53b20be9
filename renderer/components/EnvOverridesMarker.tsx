import type { ProjectView } from '../../shared/api/types';

/**
 * Says that values the user set in the app (remembered for this project) change what is shown:
 * templates read them, so images, names and the rendered config differ from a plain `werf` run.
 */
export function EnvOverridesMarker({ view, where }: { view: Pick<ProjectView, 'envOverrides'>; where: string }) {
  const names = Object.keys(view.envOverrides).sort();
  if (names.length === 0) return null;
  const list = names.join(', ');
  return (
    <span className="badge warn env-marker" data-testid={`env-overrides-${where}`} title={`Set in the app, not from your environment: ${list}. Change them under Rendered.`}>
      env overrides active: {names.length <= 3 ? list : `${names.length} variables`}
    </span>
  );
}
