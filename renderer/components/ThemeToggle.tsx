import { THEMES, type Theme } from '../../shared/api/remembered';
import { useThemeStore } from '../stores/theme-store';

const LABELS: Record<Theme, string> = { system: 'System theme', light: 'Light', dark: 'Dark' };

/** The colour theme, in the top bar: follow the system, or pin light or dark (remembered in the settings folder). */
export function ThemeToggle() {
  const { theme, choose } = useThemeStore();
  return (
    <select className="theme-toggle" aria-label="Colour theme" value={theme} onChange={(e) => void choose(e.target.value as Theme)}>
      {THEMES.map((t) => (
        <option key={t} value={t}>{LABELS[t]}</option>
      ))}
    </select>
  );
}
