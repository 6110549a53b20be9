import { describe, expect, it } from 'vitest';
import { BuildkitProgress, stepInstruction, type BuildkitStatus, type BuildkitVertex } from './buildkit-progress';
import { apiAtLeast, chooseBuilder, NO_BUILDKIT } from './builder-choice';
import { baseImagesOf, dockerfileInstructions, lineOfBuildkitError, lineOfVertexName } from './dockerfile-lines';

const linux = { builderVersion: null, apiVersion: '1.41', osType: 'linux', experimental: false };

describe('which builder an engine offers', () => {
  it('BuildKit when /_ping says Builder-Version 2, or a Linux engine of API 1.39+ leaves the choice open', () => {
    expect(chooseBuilder({ ...linux, builderVersion: '2' })).toMatchObject({ kind: 'buildkit', reason: expect.stringMatching(/Builder-Version 2/) });
    expect(chooseBuilder(linux)).toMatchObject({ kind: 'buildkit', reason: expect.stringMatching(/offers it \(API 1\.41 on linux\)/) });
    expect(chooseBuilder({ ...linux, apiVersion: '1.38', experimental: true }).kind).toBe('buildkit');
  });

  it('the classic builder otherwise, saying the engine offers no BuildKit and why', () => {
    const old = chooseBuilder({ ...linux, apiVersion: '1.37' });
    expect(old.kind).toBe('classic');
    expect(old.reason.startsWith(NO_BUILDKIT)).toBe(true);
    expect(old.reason).toMatch(/API 1\.37; BuildKit needs API 1\.39/);
    expect(chooseBuilder({ ...linux, apiVersion: '1.38' }).kind).toBe('classic');
    expect(chooseBuilder({ ...linux, osType: 'windows' }).reason).toMatch(/^classic builder: the engine offers no BuildKit \(a Windows engine/);
    // An engine configured with features.buildkit=false says so in /_ping; that wins over its API.
    expect(chooseBuilder({ ...linux, builderVersion: '1' })).toMatchObject({ kind: 'classic', reason: expect.stringMatching(/features\.buildkit is false/) });
  });

  it('a platform only where the engine takes one', () => {
    expect(chooseBuilder(linux).platform).toEqual({ supported: true });
    expect(chooseBuilder({ ...linux, apiVersion: '1.38', experimental: true }).platform).toEqual({ supported: true });
    expect(chooseBuilder({ ...linux, apiVersion: '1.39' }).platform).toMatchObject({ supported: false, reason: expect.stringMatching(/API 1\.39.*needs API 1\.40/) });
    expect(apiAtLeast('1.40', '1.40')).toBe(true);
    expect(apiAtLeast('2.0', '1.40')).toBe(true);
    expect(apiAtLeast('unknown', '1.12')).toBe(false);
  });
});

const DOCKERFILE = 'ARG BASE=alpine:3.19\nFROM $BASE AS build\nCOPY a.txt \\\n     /a.txt\nFROM scratch\nCOPY --from=build /a.txt /b.txt\nFROM build\nRUN  echo  hi\n';

describe('Dockerfile lines for BuildKit', () => {
  const ins = dockerfileInstructions(DOCKERFILE);

  it('keeps each instruction as one line of text', () => {
    expect(ins.map((i) => [i.line, i.text])).toEqual([
      [1, 'ARG BASE=alpine:3.19'],
      [2, 'FROM $BASE AS build'],
      [3, 'COPY a.txt /a.txt'],
      [5, 'FROM scratch'],
      [6, 'COPY --from=build /a.txt /b.txt'],
      [7, 'FROM build'],
      [8, 'RUN echo hi'],
    ]);
  });

  it('finds the line of a vertex BuildKit names after a Dockerfile step', () => {
    expect(lineOfVertexName(ins, '[build 2/2] COPY a.txt /a.txt')).toBe(3);
    expect(lineOfVertexName(ins, '[stage-1 1/1] COPY --from=build /a.txt /b.txt')).toBe(6);
    expect(lineOfVertexName(ins, '[2/2] RUN echo hi')).toBe(8);
    expect(lineOfVertexName(ins, '[internal] load build definition from Dockerfile')).toBeNull();
    expect(lineOfVertexName(ins, 'exporting to image')).toBeNull();
    expect(lineOfVertexName(dockerfileInstructions('FROM alpine:3.19\n'), '[1/1] FROM docker.io/library/alpine:3.19')).toBe(1);
  });

  it("reads the line newer BuildKit writes in its errors, else the parse error's", () => {
    expect(lineOfBuildkitError('Dockerfile:12\n--------------------\n  12 | >>> COPY x /x\nfailed to compute cache key', 'Dockerfile')).toBe(12);
    expect(lineOfBuildkitError('failed: .dockerfile.0a1b:3\n----', 'sub/.dockerfile.0a1b')).toBe(3);
    expect(lineOfBuildkitError('failed to create LLB definition: dockerfile parse error line 2: unknown instruction: BOGUS', 'Dockerfile')).toBe(2);
    expect(lineOfBuildkitError('"/missing.txt" not found: not found', 'Dockerfile')).toBeNull();
  });

  it('lists the base images a build needs, global ARGs expanded, stages and scratch left out', () => {
    expect(baseImagesOf(DOCKERFILE, {})).toEqual(['alpine:3.19']);
    expect(baseImagesOf(DOCKERFILE, { BASE: '127.0.0.1:5000/base/app:v1' })).toEqual(['127.0.0.1:5000/base/app:v1']);
    expect(baseImagesOf('ARG BASE\nFROM ${BASE}\n', {})).toEqual([]);
    expect(baseImagesOf('FROM --platform=linux/arm64 busybox AS b\nFROM b\nFROM busybox\n', {})).toEqual(['busybox']);
  });
});

const vertex = (digest: string, name: string, more: Partial<BuildkitVertex> = {}): BuildkitVertex => ({ digest, name, cached: false, started: null, completed: null, error: null, ...more });
const status = (s: Partial<BuildkitStatus>): BuildkitStatus => ({ vertexes: [], statuses: [], logs: [], warnings: [], ...s });

describe('BuildKit progress as steps and a plain log', () => {
  it('numbers steps as BuildKit names them, reports each change once, and joins output split across messages', () => {
    const p = new BuildkitProgress(dockerfileInstructions('FROM scratch\nCOPY a /a\nRUN make\n'));
    const ctx = vertex('sha256:c', '[internal] load build context');
    const copy = vertex('sha256:1', '[1/2] COPY a /a');
    const run = vertex('sha256:2', '[2/2] RUN make');
    expect(p.read(status({ vertexes: [ctx, copy, run] }))).toEqual([]);
    expect(p.read(status({ vertexes: [{ ...ctx, started: 1000, completed: 1100 }] }))).toEqual([
      { kind: 'log', line: '#1 [internal] load build context' },
      { kind: 'log', line: '#1 DONE 0.1s' },
    ]);
    expect(p.read(status({ vertexes: [{ ...copy, started: 2000, completed: 2000, cached: true }] }))).toEqual([
      { kind: 'log', line: '#2 [1/2] COPY a /a' },
      { kind: 'step', step: 1, total: 2, instruction: 'COPY a /a', line: 2, cached: true },
      { kind: 'log', line: '#2 CACHED' },
    ]);
    const started = { ...run, started: 3000 };
    expect(p.read(status({ vertexes: [started], logs: [{ vertex: 'sha256:2', stream: 1, text: 'compil' }] }))).toEqual([
      { kind: 'log', line: '#3 [2/2] RUN make' },
      { kind: 'step', step: 2, total: 2, instruction: 'RUN make', line: 3, cached: false },
    ]);
    expect(p.read(status({ vertexes: [started], logs: [{ vertex: 'sha256:2', stream: 1, text: 'ing\ncc -o x\n' }] }))).toEqual([
      { kind: 'log', line: '#3 compiling' },
      { kind: 'log', line: '#3 cc -o x' },
    ]);
    expect(p.read(status({ vertexes: [{ ...started, completed: 3500, error: 'process "/bin/sh -c make" did not complete successfully: exit code: 2' }] }))).toEqual([
      { kind: 'log', line: '#3 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2' },
    ]);
    expect(p.failure()).toEqual({ name: '[2/2] RUN make', error: 'process "/bin/sh -c make" did not complete successfully: exit code: 2', line: 3 });
    expect(p.steps()).toBe(2);
  });

  it('names a step like the classic builder does, with its stage', () => {
    expect(stepInstruction('[2/2] COPY b.txt   /b.txt')).toBe('COPY b.txt /b.txt');
    expect(stepInstruction('[build 1/3] RUN make')).toBe('build: RUN make');
    expect(stepInstruction('exporting to image')).toBe('exporting to image');
  });

  it('a cancelled solve is not mistaken for the failing step', () => {
    const p = new BuildkitProgress(dockerfileInstructions('FROM scratch\nCOPY a /a\n'));
    p.read(status({ vertexes: [vertex('sha256:1', '[1/1] COPY a /a', { started: 1, completed: 2, error: 'context canceled' })] }));
    expect(p.failure()).toBeNull();
  });
});
