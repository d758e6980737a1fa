import { type ReactNode, useEffect, useRef } from 'react';

interface Props {
  title: string;
  confirmLabel: string;
  open: boolean;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}

/** A modal question (the browser's dialog element: focus kept inside, Escape cancels). */
export function ConfirmDialog(p: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (p.open && !d.open) d.showModal();
    if (!p.open && d.open) d.close();
  }, [p.open]);
  return (
    <dialog ref={ref} className="confirm" aria-labelledby="confirm-title" onCancel={p.onCancel}>
      <h2 id="confirm-title">{p.title}</h2>
      {p.children}
      <div className="dialog-actions">
        <button type="button" onClick={p.onCancel}>
          Cancel
        </button>
        <button type="button" className={p.danger ? 'danger' : 'primary'} onClick={p.onConfirm}>
          {p.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
