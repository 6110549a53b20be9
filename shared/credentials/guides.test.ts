import { describe, expect, it } from 'vitest';
import { allowedExternalUrl } from '../../electron/services/external-links';
import { CATALOGUE, DOC_HOSTS, type DocLink } from '../registry/catalogue';
import { IMPLEMENTATIONS } from '../registry/implementations';
import { CREDENTIAL_GUIDES } from './guides';

const allowed = (url: string): boolean => allowedExternalUrl(url) !== null;

const guideLinks = (): [string, DocLink][] =>
  Object.entries(CREDENTIAL_GUIDES).flatMap(([impl, guide]) => [guide.createAt, ...guide.docs].map((link): [string, DocLink] => [impl, link]));

const catalogueLinks = (): [string, DocLink][] => Object.entries(CATALOGUE).flatMap(([impl, info]) => info.docs.map((link): [string, DocLink] => [impl, link]));

describe('CREDENTIAL_GUIDES', () => {
  it('has a guide for every implementation and nothing else', () => {
    expect(IMPLEMENTATIONS.length).toBeGreaterThan(0);
    for (const impl of IMPLEMENTATIONS) expect(CREDENTIAL_GUIDES[impl], impl).toBeDefined();
    expect(Object.keys(CREDENTIAL_GUIDES).sort()).toEqual([...IMPLEMENTATIONS].sort());
  });

  it.each([...IMPLEMENTATIONS])('%s states what read, push and delete need', (impl) => {
    const guide = CREDENTIAL_GUIDES[impl];
    for (const op of ['read', 'push', 'delete'] as const) {
      expect(typeof guide[op], `${impl}.${op}`).toBe('string');
      expect(guide[op].trim().length, `${impl}.${op}`).toBeGreaterThan(3);
    }
    // Three different statements, not one text copied into each field.
    expect(new Set([guide.read, guide.push, guide.delete]).size).toBe(3);
    expect(guide.scopes.length).toBeGreaterThan(0);
    for (const s of guide.scopes) expect(s.trim()).not.toBe('');
    expect(guide.form.secret.trim()).not.toBe('');
    if (guide.form.username !== null) expect(guide.form.username.trim()).not.toBe('');
    expect(guide.createAt.label.trim()).not.toBe('');
  });

  it('links only to https pages on hosts the app will open', () => {
    const links = guideLinks();
    expect(links.length).toBeGreaterThanOrEqual(IMPLEMENTATIONS.length);
    for (const [impl, link] of links) {
      const url = new URL(link.url);
      expect(url.protocol, `${impl}: ${link.url}`).toBe('https:');
      expect(DOC_HOSTS, `${impl}: ${link.url}`).toContain(url.hostname);
      expect(allowed(link.url), `${impl}: ${link.url}`).toBe(true);
      expect(link.label.trim(), `${impl}: ${link.url}`).not.toBe('');
    }
  });
});

describe('CATALOGUE links', () => {
  it('are https and allowed by the external-link check the shell uses', () => {
    const links = catalogueLinks();
    expect(links.length).toBeGreaterThanOrEqual(IMPLEMENTATIONS.length);
    for (const [impl, link] of links) {
      expect(new URL(link.url).protocol, `${impl}: ${link.url}`).toBe('https:');
      expect(allowed(link.url), `${impl}: ${link.url}`).toBe(true);
    }
  });
});
