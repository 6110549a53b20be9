import { useEffect, useRef, useState } from 'react';

/** Where the Clipboard API is missing or refused (no secure context, permissions), a selection copy. */
function copyBySelection(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  const focused = document.activeElement as HTMLElement | null;
  document.body.appendChild(area);
  area.select();
  let done = false;
  try {
    done = document.execCommand('copy');
  } catch {
    done = false;
  }
  area.remove();
  focused?.focus();
  return done;
}

async function copyText(text: string): Promise<boolean> {
  if (typeof navigator !== 'undefined' && navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      /* refused: try the selection copy */
    }
  }
  return copyBySelection(text);
}

type CopyState = 'idle' | 'copied' | 'failed';

/**
 * The one copy control: a real button (Enter and Space work, focus stays), whose result is
 * announced to screen readers through a polite live region. When neither the Clipboard API nor a
 * selection copy works, the text is shown selected so the user can copy it with the keyboard.
 */
export function CopyButton({ text, label, caption = 'Copy', className }: { text: string; label?: string; caption?: string; className?: string }) {
  const [state, setState] = useState<CopyState>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const manual = useRef<HTMLInputElement>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  useEffect(() => {
    if (state === 'failed') manual.current?.select();
  }, [state]);
  // "Copied" belongs to the text that was copied: another text (another row) starts afresh.
  useEffect(() => {
    if (timer.current) clearTimeout(timer.current);
    setState('idle');
  }, [text]);
  const name = label ?? `Copy ${text}`;
  return (
    <span className={`copy-control${className ? ` ${className}` : ''}`}>
      <button
        type="button"
        className={`copy-button ${state}`}
        aria-label={name}
        title={state === 'copied' ? 'Copied' : name}
        onClick={async () => {
          const ok = await copyText(text);
          setState(ok ? 'copied' : 'failed');
          if (timer.current) clearTimeout(timer.current);
          if (ok) timer.current = setTimeout(() => setState('idle'), 1600);
        }}
      >
        {state === 'copied' ? '✓ Copied' : caption}
      </button>
      <span className="sr-only" role="status" aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: the text is selected, press Ctrl+C' : ''}</span>
      {state === 'failed' && (
        <input
          ref={manual}
          className="copy-manual"
          readOnly
          value={text}
          aria-label={`${name}: press Ctrl+C`}
          onBlur={() => setState('idle')}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setState('idle');
          }}
        />
      )}
    </span>
  );
}
