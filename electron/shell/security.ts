import { contentSecurityPolicy } from '../app/content-security-policy';

export const APP_SCHEME = 'stowage';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

/** Electron's renderer talks over IPC only: no connection of any kind. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();
