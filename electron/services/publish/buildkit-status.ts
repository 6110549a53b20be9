import protobuf from 'protobufjs';
import type { BuildkitStatus } from '../../../shared/publish/buildkit-progress';

/**
 * BuildKit reports a build through the Engine API as `{"id":"moby.buildkit.trace","aux":"<base64>"}`
 * messages, each a protobuf `moby.buildkit.v1.StatusResponse` (buildkit's api/services/control).
 * This descriptor lists only the fields Stowage reads, with BuildKit's field numbers; protobuf
 * skips the rest, so newer engines that add fields decode the same.
 */
const DESCRIPTOR = {
  nested: {
    google: { nested: { protobuf: { nested: { Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } } } } } },
    buildkit: {
      nested: {
        StatusResponse: {
          fields: {
            vertexes: { rule: 'repeated', type: 'Vertex', id: 1 },
            statuses: { rule: 'repeated', type: 'VertexStatus', id: 2 },
            logs: { rule: 'repeated', type: 'VertexLog', id: 3 },
            warnings: { rule: 'repeated', type: 'VertexWarning', id: 4 },
          },
        },
        Vertex: {
          fields: {
            digest: { type: 'string', id: 1 },
            name: { type: 'string', id: 3 },
            cached: { type: 'bool', id: 4 },
            started: { type: 'google.protobuf.Timestamp', id: 5 },
            completed: { type: 'google.protobuf.Timestamp', id: 6 },
            error: { type: 'string', id: 7 },
          },
        },
        VertexStatus: {
          fields: {
            ID: { type: 'string', id: 1 },
            vertex: { type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            current: { type: 'int64', id: 4 },
            total: { type: 'int64', id: 5 },
            completed: { type: 'google.protobuf.Timestamp', id: 8 },
          },
        },
        VertexLog: { fields: { vertex: { type: 'string', id: 1 }, stream: { type: 'int64', id: 3 }, msg: { type: 'bytes', id: 4 } } },
        VertexWarning: {
          fields: {
            vertex: { type: 'string', id: 1 },
            short: { type: 'bytes', id: 3 },
            ranges: { rule: 'repeated', type: 'Range', id: 7 },
          },
        },
        // pb.Range / pb.Position of BuildKit's solver: where in the Dockerfile a warning points.
        Range: { fields: { start: { type: 'Position', id: 1 }, end: { type: 'Position', id: 2 } } },
        Position: { fields: { line: { type: 'int32', id: 1 }, character: { type: 'int32', id: 2 } } },
      },
    },
  },
};

let statusType: protobuf.Type | null = null;
function statusResponse(): protobuf.Type {
  statusType ??= protobuf.Root.fromJSON(DESCRIPTOR).lookupType('buildkit.StatusResponse');
  return statusType;
}

interface RawTimestamp {
  seconds?: number | protobuf.Long;
  nanos?: number;
}

const num = (v: number | protobuf.Long | undefined | null): number => (v === undefined || v === null ? 0 : typeof v === 'number' ? v : Number(v.toString()));
const millis = (t: RawTimestamp | null | undefined): number | null => (t ? num(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : null);
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A message's `aux`, base64 as the engine sends it. Throws on bytes that are not a StatusResponse. */
export function decodeBuildkitStatus(aux: string): BuildkitStatus {
  const raw = statusResponse().decode(Buffer.from(aux, 'base64')) as unknown as {
    vertexes?: { digest?: string; name?: string; cached?: boolean; started?: RawTimestamp | null; completed?: RawTimestamp | null; error?: string }[];
    statuses?: { ID?: string; vertex?: string; name?: string; current?: number | protobuf.Long; total?: number | protobuf.Long; completed?: RawTimestamp | null }[];
    logs?: { vertex?: string; stream?: number | protobuf.Long; msg?: Uint8Array }[];
    warnings?: { vertex?: string; short?: Uint8Array; ranges?: { start?: { line?: number } | null }[] }[];
  };
  return {
    vertexes: (raw.vertexes ?? []).map((v) => ({
      digest: v.digest ?? '',
      name: v.name ?? '',
      cached: v.cached === true,
      started: millis(v.started),
      completed: millis(v.completed),
      error: v.error ? v.error : null,
    })),
    statuses: (raw.statuses ?? []).map((s) => ({ id: s.ID ?? '', vertex: s.vertex ?? '', name: s.name ?? '', current: num(s.current), total: num(s.total), completed: millis(s.completed) })),
    logs: (raw.logs ?? []).map((l) => ({ vertex: l.vertex ?? '', stream: num(l.stream), text: utf8.decode(l.msg ?? new Uint8Array()) })),
    warnings: (raw.warnings ?? []).map((w) => ({ vertex: w.vertex ?? '', text: utf8.decode(w.short ?? new Uint8Array()), line: w.ranges?.[0]?.start?.line ?? null })),
  };
}
