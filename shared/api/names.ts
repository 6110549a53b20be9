/**
 * The contract's method names, with no dependency at all: the preload checks calls against this list
 * and must stay a few kilobytes (importing the contract would bundle zod into it). `contract.ts`
 * fails to compile unless its method table has exactly these keys, so a name is still written once
 * per method and cannot drift.
 */
export const METHOD_NAMES = [
  'app.info',
  'project.open',
  'project.setEnv',
  'project.close',
  'project.reload',
  'project.recent',
  'project.forget',
  'project.remembered',
  'project.remember',
  'app.settings',
  'app.saveSettings',
  'dialog.pickFolder',
  'credentials.state',
  'credentials.save',
  'credentials.remove',
  'registry.saveSettings',
  'registry.check',
  'inventory.list',
  'inventory.manifest',
  'inventory.imageConfig',
  'cleanup.inputs',
  'cleanup.execute',
  'cleanup.restore',
  'cleanup.history',
  'cleanup.run',
  'fs.listDirectory',
  // publish (issue 13)
  'publish.engine',
  'publish.run',
  // the Registries page and catalog browsing (issue 15)
  'registries.list',
  'registries.add',
  'registries.remove',
  'catalog.list',
  'catalog.tagCounts',
] as const;

export type MethodName = (typeof METHOD_NAMES)[number];

const KNOWN: ReadonlySet<string> = new Set(METHOD_NAMES);

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && KNOWN.has(name);
}
