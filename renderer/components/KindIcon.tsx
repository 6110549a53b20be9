import type { ImageSummary } from '../../shared/api/types';

/**
 * Small drawn icons for the image kinds. Emoji depend on the system's fonts and came out as empty
 * boxes on Linux without an emoji font; paths draw the same everywhere and take the text colour.
 */
export function KindIcon({ kind, size = 14 }: { kind: ImageSummary['kind']; size?: number }) {
  return (
    <svg className={`kind-icon ${kind}`} width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      {kind === 'dockerfile' ? (
        // A page with lines: a file-based build.
        <>
          <path d="M3.5 1.5h6l3 3v10h-9z" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
          <path d="M5.5 7.5h5M5.5 10h5M5.5 12.5h3" stroke="currentColor" strokeWidth="1.2" strokeLinecap="round" />
        </>
      ) : kind === 'stapel' ? (
        // Stacked layers: werf's own stage-by-stage builder.
        <>
          <path d="M8 1.8l6 3-6 3-6-3z" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
          <path d="M2 8l6 3 6-3M2 11.2l6 3 6-3" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
        </>
      ) : (
        // A box: an artifact other images import from.
        <>
          <path d="M2 5l6-3 6 3v6.5l-6 3-6-3z" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
          <path d="M2 5l6 3 6-3M8 8v6.5" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
        </>
      )}
    </svg>
  );
}
