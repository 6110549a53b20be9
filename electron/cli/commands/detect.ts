import { detectImplementation } from '../../../shared/registry/detect';
import { CATALOGUE } from '../../../shared/registry/catalogue';
import { EXIT, json, requireOne, type CommandOutput } from '../output';

export async function runDetect(values: Record<string, unknown>, positionals: string[]): Promise<CommandOutput> {
  const address = requireOne(positionals, 'address');
  const d = detectImplementation(address);
  const body = {
    address: d.address,
    implementation: d.implementation,
    registry: d.registry,
    repository: d.repository,
    reason: d.reason,
    werfDetects: d.werfWouldSay,
    ...(d.details ?? {}),
  };
  if (values.json) return { stdout: json(body), code: EXIT.ok };
  const info = CATALOGUE[d.implementation];
  const lines = [
    `${d.address}`,
    `  implementation  ${d.implementation} (${info.title})`,
    `  registry        ${d.registry}`,
    `  repository      ${d.repository ?? '(none: registry or account only)'}`,
    `  why             ${d.reason}`,
  ];
  if (d.werfWouldSay !== d.implementation) lines.push(`  note            werf's own detection says "${d.werfWouldSay}"; pass --repo-implementation=${d.implementation} to werf`);
  for (const [key, detail] of Object.entries(d.details ?? {})) {
    lines.push(`  ${key.padEnd(15)} ${Object.entries(detail as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
  }
  return { stdout: lines.join('\n') + '\n', code: EXIT.ok };
}
