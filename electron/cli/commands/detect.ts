import { detectParsed, parseImagesRepo } from '../../../shared/registry/detect';
import { implementationInfo } from '../../../shared/registry/implementation-registry';
import { EXIT, formatProblem, json, requireOne, UsageError, type CommandOutput } from '../output';

export async function runDetect(values: Record<string, unknown>, positionals: string[]): Promise<CommandOutput> {
  const address = requireOne(positionals, 'address');
  if (address.trim() === '') throw new UsageError('the address is empty; give one like registry.example.com/team/app');
  const parsed = parseImagesRepo(address);
  const d = detectParsed(parsed);
  // What was dropped or is wrong in the address (a tag, a scheme, characters a registry refuses).
  const problems = parsed.problems.map((p) => ({ severity: p.severity, code: p.code, message: p.message, ...(p.hint ? { hint: p.hint } : {}) }));
  const code = problems.some((p) => p.severity === 'error') ? EXIT.problems : EXIT.ok;
  const body = {
    address: d.address,
    implementation: d.implementation,
    registry: d.registry,
    repository: d.repository,
    reason: d.reason,
    werfDetects: d.werfWouldSay,
    ...(d.details ?? {}),
    problems,
  };
  if (values.json) return { stdout: json(body), code };
  const info = implementationInfo(d.implementation);
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
  const stderr = problems.map((p) => formatProblem(p)).join('\n');
  return { stdout: lines.join('\n') + '\n', ...(stderr ? { stderr: stderr + '\n' } : {}), code };
}
