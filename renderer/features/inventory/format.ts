export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  // Round first, then pick the unit: 1023.99 KiB is "1.0 MiB", not "1024 KiB".
  const shown = (x: number) => Number(x.toFixed(x >= 99.95 ? 0 : 1));
  while (shown(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 99.95 ? 0 : 1)} ${units[i]}`;
}

export function formatAge(iso: string | undefined, now: number): string {
  if (!iso) return '—';
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '—';
  const days = ms / 86_400_000;
  if (days < 1 / 24) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (days < 1) return `${Math.round(days * 24)} h`;
  if (days < 60) return `${Math.round(days)} d`;
  if (days < 730) return `${Math.round(days / 30.4)} mo`;
  return `${(days / 365).toFixed(1)} y`;
}

export const shortDigest = (digest: string | null) => (digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '—');
