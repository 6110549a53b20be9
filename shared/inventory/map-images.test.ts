import { describe, expect, it } from 'vitest';
import { WERF_IMAGE_NAME_LABEL, createImageMapper, planRepositories } from './map-images';

const label = (name: string) => ({ [WERF_IMAGE_NAME_LABEL]: name, 'werf-image': 'true' });

describe('monorepo: IMAGE- prefix, settled by the werf-image-name label', () => {
  const mapper = createImageMapper({ mode: 'monorepo', base: 'team/project', images: ['app', 'app-worker', 'web'] });

  it('an unambiguous prefix maps by prefix', () => {
    expect(mapper.map('team/project', 'web-v1')).toEqual({ image: 'web', imageBy: 'prefix' });
    expect(mapper.map('team/project', 'app-v1')).toEqual({ image: 'app', imageBy: 'prefix' });
  });

  it('app-worker-x fits app and app-worker: longest prefix is only a guess, and the ambiguity is reported', () => {
    expect(mapper.map('team/project', 'app-worker-x')).toEqual({ image: 'app-worker', imageBy: 'prefix', candidates: ['app-worker', 'app'] });
  });

  it('the label says app: the tag is app with meta tag "worker-x", even though app-worker is longer', () => {
    expect(mapper.map('team/project', 'app-worker-x', label('app'))).toEqual({ image: 'app', imageBy: 'label' });
  });

  it('the label says app-worker: settled, no candidates', () => {
    expect(mapper.map('team/project', 'app-worker-x', label('app-worker'))).toEqual({ image: 'app-worker', imageBy: 'label' });
  });

  it('labels without werf-image-name leave the prefix guess in place', () => {
    expect(mapper.map('team/project', 'app-worker-x', { 'org.opencontainers.image.version': '1' })).toMatchObject({ imageBy: 'prefix', candidates: ['app-worker', 'app'] });
  });

  it('a label naming an image that is neither in werf.yaml nor fits the tag is ignored', () => {
    expect(mapper.map('team/project', 'app-worker-x', label('db'))).toMatchObject({ image: 'app-worker', imageBy: 'prefix' });
  });

  it('a label naming an image removed from werf.yaml is trusted when its prefix fits', () => {
    expect(mapper.map('team/project', 'old-v1', label('old'))).toEqual({ image: 'old', imageBy: 'label' });
  });

  it('a tag fitting no image belongs to none', () => {
    expect(mapper.map('team/project', 'latest')).toEqual({});
    // The prefix needs something after the dash.
    expect(mapper.map('team/project', 'app-')).toEqual({});
    expect(mapper.map('team/project', 'application-v1')).toEqual({});
  });

  it('three nested names: all candidates, longest first', () => {
    const m = createImageMapper({ mode: 'monorepo', base: 'r', images: ['a', 'a-b', 'a-b-c'] });
    expect(m.map('r', 'a-b-c-1')).toEqual({ image: 'a-b-c', imageBy: 'prefix', candidates: ['a-b-c', 'a-b', 'a'] });
    expect(m.map('r', 'a-b-c-1', label('a-b'))).toEqual({ image: 'a-b', imageBy: 'label' });
  });

  it('couldBelongTo follows the prefix', () => {
    expect(mapper.couldBelongTo('app-worker-x', 'app')).toBe(true);
    expect(mapper.couldBelongTo('app-worker-x', 'app-worker')).toBe(true);
    expect(mapper.couldBelongTo('web-1', 'app')).toBe(false);
  });

  it('the nameless image takes every tag; its label is ""', () => {
    const m = createImageMapper({ mode: 'monorepo', base: 'r', images: [null] });
    expect(m.map('r', 'v1')).toEqual({ image: null, imageBy: 'prefix' });
    expect(m.map('r', 'v1', label(''))).toEqual({ image: null, imageBy: 'label' });
    expect(m.couldBelongTo('anything', null)).toBe(true);
  });
});

describe('multirepo: by repository path', () => {
  const mapper = createImageMapper({ mode: 'multirepo', base: 'team/project', images: ['app', 'app-worker', null] });

  it('REPO/IMAGE and the nameless REPO', () => {
    expect(mapper.map('team/project/app', 'app-worker-x')).toEqual({ image: 'app', imageBy: 'repository' });
    expect(mapper.map('team/project/app-worker', 'v1')).toEqual({ image: 'app-worker', imageBy: 'repository' });
    expect(mapper.map('team/project', 'v1')).toEqual({ image: null, imageBy: 'repository' });
    expect(mapper.map('team/other', 'v1')).toEqual({});
  });

  it('the repository decides even when a label disagrees', () => {
    expect(mapper.map('team/project/app', 'v1', label('app-worker'))).toEqual({ image: 'app', imageBy: 'repository' });
  });

  it('a registry-only address puts images at the top level', () => {
    const m = createImageMapper({ mode: 'multirepo', base: null, images: ['app'] });
    expect(m.map('app', 'v1')).toEqual({ image: 'app', imageBy: 'repository' });
  });
});

describe('planRepositories', () => {
  it('multirepo: one repository per image, REPO itself for the nameless one', () => {
    expect(planRepositories({ mode: 'multirepo', base: 'team/p', images: ['app', null, 'app'] })).toEqual({
      repositories: [
        { repository: 'team/p/app', image: 'app' },
        { repository: 'team/p', image: null },
      ],
      problems: [],
    });
  });

  it('multirepo with one image asked for', () => {
    expect(planRepositories({ mode: 'multirepo', base: 'team/p', images: ['app', 'web'], only: 'web' }).repositories).toEqual([{ repository: 'team/p/web', image: 'web' }]);
    expect(planRepositories({ mode: 'multirepo', base: 'team/p', images: ['app'], only: 'nope' }).problems[0]).toContain('"nope"');
  });

  it('monorepo: the images repo', () => {
    expect(planRepositories({ mode: 'monorepo', base: 'team/p', images: ['app', 'web'] }).repositories).toEqual([{ repository: 'team/p' }]);
    expect(planRepositories({ mode: 'monorepo', base: null, images: ['app'] }).repositories).toEqual([]);
  });

  it('registry-only multirepo: a nameless image has nowhere to go', () => {
    const r = planRepositories({ mode: 'multirepo', base: null, images: ['app', null] });
    expect(r.repositories).toEqual([{ repository: 'app', image: 'app' }]);
    expect(r.problems).toHaveLength(1);
  });
});
