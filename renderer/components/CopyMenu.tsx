import { useEffect, useId, useRef, useState } from 'react';
import { CopyButton } from './CopyButton';

export interface CopyChoice {
  /** What the menu says ("Digest", "Pull command"). */
  caption: string;
  text: string;
}

/**
 * A small "Copy ▾" menu for places with no room for five buttons (a table row). The list is
 * positioned against the viewport so a virtualized, clipped row does not cut it; Escape or a click
 * elsewhere closes it and gives focus back to the button.
 */
export function CopyMenu({ choices, label }: { choices: readonly CopyChoice[]; label: string }) {
  const [open, setOpen] = useState(false);
  const [at, setAt] = useState<{ top: number; left: number }>({ top: 0, left: 0 });
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return;
    list.current?.querySelector('button')?.focus();
    const away = (e: MouseEvent) => {
      if (!list.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);

  const toggle = () => {
    const r = button.current?.getBoundingClientRect();
    if (r) setAt({ top: Math.min(r.bottom + 4, window.innerHeight - 40 * choices.length - 8), left: Math.max(8, Math.min(r.left, window.innerWidth - 300)) });
    setOpen(!open);
  };

  return (
    <span
      className="copy-menu"
      onClick={(e) => e.stopPropagation()}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Escape' && open) {
          setOpen(false);
          button.current?.focus();
        }
      }}
    >
      <button ref={button} type="button" className="ghost copy-menu-button" aria-haspopup="true" aria-expanded={open} aria-controls={open ? id : undefined} aria-label={label} onClick={toggle}>
        Copy ▾
      </button>
      {open && (
        <div ref={list} id={id} className="copy-menu-list" role="group" aria-label={label} style={{ top: at.top, left: at.left }}>
          {choices.map((c) => (
            <div key={c.caption} className="copy-menu-item">
              <span className="copy-menu-caption">{c.caption}</span>
              <code title={c.text}>{c.text}</code>
              <CopyButton text={c.text} label={`Copy ${c.caption.toLowerCase()}`} />
            </div>
          ))}
        </div>
      )}
    </span>
  );
}
