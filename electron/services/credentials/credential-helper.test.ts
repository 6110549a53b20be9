import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunHelper, helperGet, helperList, isValidHelperName } from './credential-helper';
import { SecretScrubber } from './redact';
import { cleanupTempDirs, tempDir, writeHelper } from './test-fixtures';

afterAll(cleanupTempDirs);

/** A zombie waiting for its reaper counts as stopped. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

// PATH holds only the scripts' folder: this machine may have real helpers (e.g. docker-credential-gcloud).
function setup() {
  const bin = tempDir('stowage-helpers-');
  const run = createRunHelper({ env: { PATH: bin, HOME: bin }, timeoutMs: 400 });
  return { bin, run };
}

describe('credential helper protocol', () => {
  it('writes the server URL to stdin and reads Username/Secret', async () => {
    const { bin, run } = setup();
    const stdinLog = join(bin, 'stdin.log');
    writeHelper(
      bin,
      'fake',
      `url=$(/bin/cat); printf '%s|%s' "$1" "$url" > '${stdinLog}'
printf '{"ServerURL":"%s","Username":"alice","Secret":"pa55-word"}' "$url"`,
    );
    const result = await helperGet(run, 'fake', 'https://index.docker.io/v1/');
    expect(readFileSync(stdinLog, 'utf8')).toBe('get|https://index.docker.io/v1/');
    expect(result.status).toBe('found');
    if (result.status !== 'found') return;
    expect(result.username).toBe('alice');
    expect(result.identityToken).toBe(false);
    expect(result.secret.reveal()).toBe('pa55-word');
    expect(JSON.stringify(result)).not.toContain('pa55-word');
  });

  it('reads Username <token> as an identity token', async () => {
    const { bin, run } = setup();
    writeHelper(bin, 'tok', `/bin/cat >/dev/null; printf '{"ServerURL":"x.azurecr.io","Username":"<token>","Secret":"refresh-tok"}'`);
    const result = await helperGet(run, 'tok', 'x.azurecr.io');
    expect(result).toMatchObject({ status: 'found', identityToken: true, username: '' });
  });

  it('maps "credentials not found" to not-found, not to an error', async () => {
    const { bin, run } = setup();
    writeHelper(bin, 'none', `/bin/cat >/dev/null; echo "credentials not found in native keychain"; exit 1`);
    expect(await helperGet(run, 'none', 'ghcr.io')).toEqual({ status: 'not-found' });
  });

  it('reports a missing binary with the helper name and a hint', async () => {
    const { run } = setup();
    const result = await helperGet(run, 'desktop', 'ghcr.io', { configuredIn: 'credsStore in ~/.docker/config.json' });
    expect(result).toMatchObject({ status: 'failed', reason: 'missing', problem: 'docker-credential-desktop is not installed' });
    if (result.status === 'failed') expect(result.hint).toContain('credsStore in ~/.docker/config.json');
  });

  it('stops a helper that hangs, including what it started', async () => {
    const { bin, run } = setup();
    const pidFile = join(bin, 'child.pid');
    writeHelper(bin, 'slow', `/bin/sleep 30 & echo $! > '${pidFile}'; wait`);
    const started = Date.now();
    const result = await helperGet(run, 'slow', 'ghcr.io', { timeoutMs: 400 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result).toMatchObject({ status: 'failed', reason: 'timeout' });
    if (result.status === 'failed') expect(result.problem).toContain('did not answer within 0.4 s');
    // The grandchild got the SIGKILL sent to the process group.
    const pid = Number(readFileSync(pidFile, 'utf8'));
    let alive = true;
    for (let i = 0; i < 40 && alive; i++) {
      alive = isRunning(pid);
      if (alive) await new Promise((r) => setTimeout(r, 50));
    }
    expect(alive).toBe(false);
  });

  it('never quotes garbage output (it may hold the secret)', async () => {
    const { bin, run } = setup();
    writeHelper(bin, 'garbage', `/bin/cat >/dev/null; echo "Secret: GarbageS3cretValue-xyz"`);
    const result = await helperGet(run, 'garbage', 'ghcr.io');
    expect(result).toMatchObject({ status: 'failed', reason: 'bad-output' });
    expect(JSON.stringify(result)).not.toContain('GarbageS3cretValue');
  });

  it('shows stderr of a failing helper, truncated and scrubbed', async () => {
    const { bin, run } = setup();
    writeHelper(
      bin,
      'broken',
      `/bin/cat >/dev/null; echo "error: keyring locked; password=hunter2hunter2 token Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1 known:my-known-secret" >&2; i=0; while [ $i -lt 50 ]; do printf 'padding ' >&2; i=$((i+1)); done; exit 3`,
    );
    const scrubber = new SecretScrubber();
    scrubber.remember('my-known-secret');
    const result = await helperGet(run, 'broken', 'ghcr.io', { scrubber });
    expect(result).toMatchObject({ status: 'failed', reason: 'exit' });
    if (result.status !== 'failed') return;
    expect(result.problem).toContain('docker-credential-broken get failed (exit 3): error: keyring locked');
    expect(result.problem).not.toContain('hunter2hunter2');
    expect(result.problem).not.toContain('Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1');
    expect(result.problem).not.toContain('my-known-secret');
    expect(result.problem.length).toBeLessThan(320);
  });

  it('refuses helper names that are paths', async () => {
    const { run } = setup();
    expect(isValidHelperName('../../tmp/evil')).toBe(false);
    expect(isValidHelperName('ecr-login')).toBe(true);
    expect(await helperGet(run, '../evil', 'ghcr.io')).toMatchObject({ status: 'failed', reason: 'invalid-name' });
  });

  it('reports a helper that is not executable', async () => {
    const { bin, run } = setup();
    const path = writeHelper(bin, 'noexec', 'exit 0');
    (await import('node:fs')).chmodSync(path, 0o644);
    const result = await helperGet(run, 'noexec', 'ghcr.io');
    expect(result.status).toBe('failed');
    if (result.status === 'failed') expect(['not-executable', 'missing']).toContain(result.reason);
  });

  it('lists logins without secrets', async () => {
    const { bin, run } = setup();
    writeHelper(bin, 'store', `[ "$1" = list ] || exit 9; printf '{"https://index.docker.io/v1/":"hubuser","ghcr.io":"<token>"}'`);
    const result = await helperList(run, 'store');
    expect(result.status).toBe('ok');
    if (result.status === 'ok') expect([...result.entries]).toEqual([['https://index.docker.io/v1/', 'hubuser'], ['ghcr.io', '<token>']]);
  });

  it('rejects with the abort reason when cancelled', async () => {
    const { bin } = setup();
    writeHelper(bin, 'wait', `/bin/sleep 5`);
    const run = createRunHelper({ env: { PATH: bin }, timeoutMs: 10_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by test')), 100);
    await expect(helperGet(run, 'wait', 'ghcr.io', { signal: controller.signal })).rejects.toThrow('cancelled by test');
    expect(existsSync(bin)).toBe(true);
  });
});
