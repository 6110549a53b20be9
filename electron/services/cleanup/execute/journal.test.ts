import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../../e2e/services/util';
import { JournalWriter, parseJournal, scrubber, type IntentLine } from './journal';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('journal');
});
afterEach(async () => {
  await removeDir(dir);
});

const intent = (i: number): IntentLine => ({ type: 'intent', time: '2026-12-07T10:00:00.000Z', repository: 'app', digest: `sha256:${String(i).padStart(64, '0')}`, tags: [`t${i}`], digestGoes: true });

describe('the run journal', () => {
  it('keeps lines written in parallel in call order, private to the user', async () => {
    const path = join(dir, 'runs', 'r.jsonl');
    const journal = await JournalWriter.open(path);
    await Promise.all(Array.from({ length: 50 }, (_, i) => journal.write(intent(i), i % 3 === 0)));
    await journal.close();
    const lines = parseJournal(await readFile(path, 'utf8'));
    expect(lines.map((l) => (l as IntentLine).tags[0])).toEqual(Array.from({ length: 50 }, (_, i) => `t${i}`));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('skips a line cut short by a crash and anything that is not a journal line', async () => {
    const path = join(dir, 'r.jsonl');
    const journal = await JournalWriter.open(path);
    await journal.write(intent(1), true);
    await journal.close();
    await appendFile(path, '{"type":"outcome","repository":"app","tag":"x"\n{"type":"mystery"}\n[1,2]\n{"type":"intent","time":"t","repository":"app","digest":"sha256:1","tags":[');
    expect(parseJournal(await readFile(path, 'utf8'))).toEqual([intent(1)]);
  });

  it('scrubs a secret, its base64 and its JSON-escaped form', () => {
    const scrub = scrubber(['pa"ss\\word', 'tiny'.slice(0, 3)]);
    const secret = 'pa"ss\\word';
    const text = JSON.stringify({ a: secret, b: Buffer.from(secret).toString('base64') });
    expect(scrub(text)).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(scrub(text)).not.toContain(Buffer.from(secret).toString('base64'));
    expect(scrub(text)).toContain('[redacted]');
    // Strings too short to be a secret are not blanked everywhere.
    expect(scrub('tin')).toBe('tin');
  });
});
