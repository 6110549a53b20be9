import { userInfo } from 'node:os';

/**
 * The name of the account Stowage runs as, for `~NAME/x` in typed paths; null when the system does
 * not know it (a container running as a UID with no passwd entry makes os.userInfo() throw).
 */
export function accountName(env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // No passwd entry: fall back to what the login set.
  }
  return env.USER || env.LOGNAME || null;
}
