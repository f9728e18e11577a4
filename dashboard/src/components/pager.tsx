/** Previous / next for cursor pagination. */

/** Props of `Pager`. */
export interface PagerProps {
  page: number;
  hasPrev: boolean;
  hasNext: boolean;
  onPrev: () => void;
  onNext: () => void;
}

/** The page number and two buttons. */
export function Pager({ page, hasPrev, hasNext, onPrev, onNext }: PagerProps) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="btn btn-plain" disabled={!hasPrev} onClick={onPrev}>
        ← Newer
      </button>
      <span>Page {page}</span>
      <button type="button" className="btn btn-plain" disabled={!hasNext} onClick={onNext}>
        Older →
      </button>
    </nav>
  );
}
