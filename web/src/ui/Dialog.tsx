import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/**
 * A modal <dialog>: the browser keeps focus inside it and Escape closes it; when it closes,
 * focus goes back to what opened it (the card's button), so a keyboard user stays in place.
 */
export function Dialog({ title, onClose, children, labelledBy = 'dialog-title' }: { title: string; onClose: () => void; children: ComponentChildren; labelledBy?: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.current?.showModal();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby={labelledBy}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={labelledBy}>{title}</h2>
      {children}
    </dialog>
  );
}
