import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESCAPES, badTagListRegistry, escapeRegistry, redirectingDeleteRegistry, startHostileRegistry, type BadTagList, type HostileRegistry } from '../../e2e/robustness/registry-servers';
import { runCli } from './main';

/**
 * Issue #10, items 9–11, through the CLI as a user runs it: `check` and `tags` against registries
 * that answer with broken tag lists, terminal control sequences, and redirects of a DELETE.
 */
const saved: Record<string, string | undefined> = {};
let home: string;
beforeAll(() => {
  // Nothing of the real user's (docker config, saved settings) is read.
  home = mkdtempSync(join(tmpdir(), 'stowage-hostile-cli-'));
  for (const k of ['HOME', 'STOWAGE_HOME', 'XDG_CONFIG_HOME', 'DOCKER_CONFIG', 'DOCKER_AUTH_CONFIG']) saved[k] = process.env[k];
  process.env.HOME = home;
  process.env.STOWAGE_HOME = join(home, 'stowage');
  process.env.XDG_CONFIG_HOME = join(home, 'config');
  process.env.DOCKER_CONFIG = join(home, 'docker');
  delete process.env.DOCKER_AUTH_CONFIG;
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(home, { recursive: true, force: true });
});

const servers: HostileRegistry[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
/** Starts a server and lets the CLI talk plain HTTP to it (a per-registry setting, as a user sets it). */
async function keep(s: Promise<HostileRegistry>): Promise<HostileRegistry> {
  const r = await s;
  servers.push(r);
  const dir = process.env.STOWAGE_HOME!;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'registry-settings.json'), JSON.stringify(servers.map((x) => ({ registry: x.host, plainHttp: true }))));
  return r;
}

interface CheckJson {
  readOk: boolean;
  steps: { name: string; status: string; detail: string }[];
}

describe('item 9: check and tags read a tag list with one parser', () => {
  const kinds: [BadTagList, RegExp][] = [
    ['truncated-json', /not JSON/],
    ['html', /HTML page/],
    ['tags-not-a-list', /"tags" is not a list/],
    ['gzip', /gzip/],
  ];
  for (const [kind, reason] of kinds) {
    it(`${kind}: the list-tags step fails, read access is not OK, and tags refuses the same answer`, async () => {
      const reg = await keep(badTagListRegistry(kind));
      const check = await runCli(['check', `${reg.host}/app`, '--json']);
      const body = JSON.parse(check.stdout) as CheckJson;
      const list = body.steps.find((s) => s.name === 'list-tags')!;
      expect(list.status).toBe('fail');
      expect(list.detail).toMatch(reason);
      expect(body.readOk).toBe(false);
      expect(check.code).toBe(1);

      const tags = await runCli(['tags', `${reg.host}/app`, '--json']);
      expect(tags.code).toBe(1);
      expect((JSON.parse(tags.stdout) as { error: { message: string } }).error.message).toMatch(reason);
    });
  }
});

/** A terminal acts on C0 controls but line feeds between lines, on DEL, and on 8-bit C1 controls. */
function assertInert(text: string): void {
  // eslint-disable-next-line no-control-regex
  expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  expect(text).not.toMatch(/^forged line/m);
}

describe('item 10: control characters from a registry never reach the terminal raw', () => {
  it('tags (text): hostile tag names and error codes are escaped, visibly', async () => {
    const reg = await keep(escapeRegistry());
    const out = await runCli(['tags', `${reg.host}/app`, '--no-config']);
    assertInert(out.stdout);
    assertInert(out.stderr);
    expect(out.stdout).toContain('a\\x1b[2J');
    expect(out.stdout).toContain('b\\x1b]0;pwned\\x07');
    expect(out.stdout).toContain('c\\nforged line');
    expect(out.stdout).toContain('d\\x9b2J');
  });

  it('tags (text): a refusal with a hostile code and message', async () => {
    const reg = await keep(escapeRegistry());
    const out = await runCli(['tags', `${reg.host}/denied`]);
    expect(out.code).toBe(1);
    assertInert(out.stderr);
    expect(out.stderr).toContain('\\x1b[2J');
  });

  it('check (text): the same refusal in a step detail', async () => {
    const reg = await keep(escapeRegistry());
    const out = await runCli(['check', `${reg.host}/denied`]);
    assertInert(out.stdout);
    assertInert(out.stderr);
    expect(out.stdout).toContain('\\x1b[2J');
  });

  it('--json keeps the registry words as JSON strings, which escape them', async () => {
    const reg = await keep(escapeRegistry());
    const out = await runCli(['tags', `${reg.host}/app`, '--no-config', '--json']);
    const tags = (JSON.parse(out.stdout) as { tags: { tag: string }[] }).tags.map((t) => t.tag);
    expect(tags).toContain(`a${ESCAPES.clear}`);
    // The 8-bit CSI, which JSON.stringify leaves raw, is written as \u009b: same value, inert text.
    expect(tags).toContain(`d${ESCAPES.csi8bit}`);
    expect(out.stdout).not.toMatch(/[\x7f-\x9f]/);
  });
});

describe('item 11: no mutating request follows a redirect', () => {
  it("check's delete probe answered 307 to another host: the other host is never asked", async () => {
    const elsewhere = await keep(startHostileRegistry((_req, res) => {
      res.writeHead(404).end();
    }));
    const reg = await keep(redirectingDeleteRegistry(elsewhere.url));
    const out = await runCli(['check', `${reg.host}/app`, '--json']);
    const body = JSON.parse(out.stdout) as CheckJson;
    expect(reg.requests.some((r) => r.method === 'DELETE')).toBe(true);
    expect(elsewhere.requests).toEqual([]);
    const probe = body.steps.find((s) => s.name === 'delete-permission')!;
    expect(probe.status).not.toBe('pass');
    expect(probe.detail).toContain('307');
  });
});
