import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../e2e/services/util';
import { RegistryAccess } from '../registry-access';
import { gatherCleanupInputs } from './plan-service';

// A cleanup plan reads the project's werf.yaml: an untrusted template, rendered in the project
// worker under the app's limits. A werf.yaml that does not render must stop the plan before any
// registry is asked (nothing listens at the images repo here: a plan that went on would fail as
// unreachable instead).

let base: string;
let access: RegistryAccess;
let imagesRepo: string;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'stowage-plan-project-'));
  access = new RegistryAccess({ settingsDir: join(base, 'settings') });
  imagesRepo = `127.0.0.1:${await freePort()}/app`;
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function project(name: string, werfYaml: string): string {
  const dir = join(base, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'werf.yaml'), werfYaml);
  return dir;
}

function gather(projectDir: string, signal = new AbortController().signal) {
  return gatherCleanupInputs({ imagesRepo, implementation: 'auto', mode: 'multirepo', kube: { source: 'off' } }, { projectDir, access, signal });
}

describe('cleanup plan inputs from an untrusted project', () => {
  it('a template past the limits refuses the plan with the limit error', async () => {
    const dir = project('fan-out', 'project: app\nconfigVersion: 1\n---\n{{ define "a" }}{{ if lt (len .) 60 }}{{ include "a" (print . "x") }}{{ include "a" (print . "y") }}{{ end }}{{ end }}{{ include "a" "" }}\n');
    const started = Date.now();
    await expect(gather(dir)).rejects.toMatchObject({ name: 'UserError', code: expect.stringMatching(/^template-/), message: expect.stringMatching(/^werf\.yaml:4: .*limit/) });
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('a werf.yaml that fails to render refuses the plan with its error, before the registry is asked', async () => {
    const dir = project('fails', 'project: app\nconfigVersion: 1\n---\nimage: backend\nfrom: {{ fail "set BASE_IMAGE" }}\n');
    await expect(gather(dir)).rejects.toMatchObject({ code: expect.stringMatching(/^template/), message: expect.stringContaining('set BASE_IMAGE') });
  });

  it('a cancelled gathering is cancelled, not an unreadable project', async () => {
    const dir = project('cancelled', 'project: app\nconfigVersion: 1\n---\nimage: backend\nfrom: alpine:3.20\n');
    const controller = new AbortController();
    controller.abort(new Error('stopped by the user'));
    await expect(gather(dir, controller.signal)).rejects.toThrow('stopped by the user');
  });

  it('a readable project goes on to the registry (here: unreachable)', async () => {
    const dir = project('fine', 'project: app\nconfigVersion: 1\n---\nimage: backend\nfrom: alpine:3.20\n');
    await expect(gather(dir)).rejects.toMatchObject({ code: 'registry-unreachable' });
  });
});
