/**
 * The Docker engine answers builds and pushes with a stream of JSON messages. These helpers read
 * one message at a time into what the publish view and the CLI show. The engine and what a
 * Dockerfile's RUN prints are untrusted text: callers cap what they keep.
 */
export interface EngineMessage {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string; code?: number };
  /** An object for the classic builder and pushes; BuildKit's trace messages carry base64 protobuf here. */
  aux?: { ID?: string; Tag?: string; Digest?: string; Size?: number } | string;
}

export function asEngineMessage(value: unknown): EngineMessage | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as EngineMessage) : null;
}

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;

export type BuildEvent =
  | { kind: 'step'; step: number; total: number; instruction: string }
  | { kind: 'log'; line: string }
  | { kind: 'image'; id: string }
  | { kind: 'error'; message: string };

/** What one message of `POST /build` (classic builder) means. */
export function readBuildMessage(m: EngineMessage): BuildEvent[] {
  const out: BuildEvent[] = [];
  if (typeof m.error === 'string' || m.errorDetail?.message) {
    out.push({ kind: 'error', message: (m.errorDetail?.message ?? m.error ?? '').trim() });
    return out;
  }
  if (typeof m.aux === 'object' && typeof m.aux.ID === 'string') out.push({ kind: 'image', id: m.aux.ID });
  if (typeof m.stream === 'string') {
    for (const line of m.stream.split('\n')) {
      const trimmed = line.replace(/\r$/, '');
      if (trimmed.trim() === '') continue;
      const step = STEP.exec(trimmed);
      if (step) out.push({ kind: 'step', step: Number(step[1]), total: Number(step[2]), instruction: step[3]! });
      out.push({ kind: 'log', line: trimmed });
    }
  }
  return out;
}

const PUSHED_DIGEST = /digest: (sha256:[0-9a-f]{64}) size: (\d+)/;

export type PushEvent =
  | { kind: 'layer'; layer: string; status: string; current?: number; total?: number }
  | { kind: 'digest'; digest: string; size: number }
  | { kind: 'status'; message: string }
  | { kind: 'error'; message: string };

/** What one message of `POST /images/{name}/push` means. */
export function readPushMessage(m: EngineMessage): PushEvent | null {
  if (typeof m.error === 'string' || m.errorDetail?.message) return { kind: 'error', message: (m.errorDetail?.message ?? m.error ?? '').trim() };
  if (typeof m.aux === 'object' && typeof m.aux.Digest === 'string') return { kind: 'digest', digest: m.aux.Digest, size: typeof m.aux.Size === 'number' ? m.aux.Size : 0 };
  if (typeof m.status !== 'string') return null;
  const d = PUSHED_DIGEST.exec(m.status);
  if (d) return { kind: 'digest', digest: d[1]!, size: Number(d[2]) };
  if (typeof m.id === 'string' && /^[0-9a-f]{12,64}$/.test(m.id)) {
    const ev: PushEvent = { kind: 'layer', layer: m.id, status: m.status };
    if (typeof m.progressDetail?.current === 'number') ev.current = m.progressDetail.current;
    if (typeof m.progressDetail?.total === 'number') ev.total = m.progressDetail.total;
    return ev;
  }
  return { kind: 'status', message: m.status };
}

/**
 * Push failures worth another attempt: the registry or the path to it hiccupped, not a refusal.
 * A 401/403, a denied or unknown name, a manifest the registry rejects are final.
 */
export function isTransientPushError(message: string): boolean {
  const m = message.toLowerCase();
  if (/\b(denied|unauthorized|forbidden|name_invalid|name_unknown|manifest_invalid|tag_invalid|not found|requested access)\b/.test(m)) return false;
  return /\b(50[0234]|429|too many requests|timeout|timed out|connection reset|econnreset|broken pipe|eof|connection refused|temporarily unavailable|i\/o timeout|tls handshake)\b/.test(m);
}
