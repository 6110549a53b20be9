import { z } from 'zod';
import { isImplementationChoice } from '../registry/implementation-registry';
import type { ImplementationChoice } from '../registry/implementations';
import { WERF_VERSIONS } from '../werf-config/werf-version';

/**
 * What Stowage remembers per project between runs, in the settings folder: the final-names inputs
 * the user typed, and the environment overrides and werf release the project is read with.
 * The same schema checks what the renderer sends and what is read back from disk (a file may be
 * damaged or written by another version).
 */
export const rememberedPreviewSchema = z
  .object({
    imagesRepo: z.string().max(500),
    implementation: z.string().max(40).refine((v): v is ImplementationChoice => isImplementationChoice(v), 'auto or a known registry implementation'),
    mode: z.enum(['auto', 'multirepo', 'monorepo']),
    customTags: z.string().max(2000),
    strategies: z.object({ custom: z.boolean(), 'git-branch': z.boolean(), 'git-tag': z.boolean(), 'git-commit': z.boolean() }).strict(),
  })
  .strict();

export const rememberedEnvSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).max(200), z.string().max(10_000));

export const rememberedProjectSchema = z
  .object({
    preview: rememberedPreviewSchema.optional(),
    env: rememberedEnvSchema.optional(),
    werfVersion: z.enum(WERF_VERSIONS).optional(),
  })
  .strict();

export type RememberedPreview = z.infer<typeof rememberedPreviewSchema>;
export type RememberedProject = z.infer<typeof rememberedProjectSchema>;

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** App-wide choices (not per project), in the settings folder. */
export const appSettingsSchema = z.object({ theme: z.enum(THEMES).optional() }).strict();
export type AppSettings = z.infer<typeof appSettingsSchema>;
