/** Bulk retry / cancel / delete, of the selected rows or of everything the filter matches. */
import { useState } from 'react';
import { endpoints, type BulkTarget, type JobAction } from '../api/endpoints.js';
import type { JobFilter } from '../api/types.js';
import { ConfirmButton } from './confirm-button.js';

const ACTIONS: [JobAction, string][] = [
  ['retry', 'Retry'],
  ['cancel', 'Cancel'],
  ['delete', 'Delete'],
];

/** Props of `BulkBar`. */
export interface BulkBarProps {
  selected: string[];
  filter: JobFilter;
  onDone: () => void;
}

/**
 * Reports how many jobs each action changed; the server skips jobs whose state does not
 * allow the action, and refuses a bulk action without any filter (so "all" is never everything).
 */
export function BulkBar({ selected, filter, onDone }: BulkBarProps) {
  const [note, setNote] = useState<string | null>(null);
  const run = async (action: JobAction, target: BulkTarget): Promise<void> => {
    const r = await endpoints.bulk(action, target);
    const skipped = r.matched - r.affected;
    setNote(
      `${action}: ${r.affected} done` +
        (skipped ? `, ${skipped} skipped (state changed)` : '') +
        (r.more ? '; more match, run it again' : ''),
    );
    onDone();
  };
  const hasFilter = Object.values(filter).some(Boolean);
  return (
    <div className="bulk" role="toolbar" aria-label="Bulk actions">
      <span className="muted">{selected.length} selected:</span>
      {ACTIONS.map(([a, label]) => (
        <ConfirmButton
          key={`s-${a}`}
          disabled={selected.length === 0}
          question={`${label} ${selected.length} selected?`}
          onConfirm={() => run(a, { ids: selected })}
        >
          {label} selected
        </ConfirmButton>
      ))}
      <span className="muted">All matching the filter:</span>
      {ACTIONS.map(([a, label]) => (
        <ConfirmButton
          key={`f-${a}`}
          disabled={!hasFilter}
          question={`${label} every job matching the filter?`}
          onConfirm={() => run(a, { filter })}
        >
          {label} all
        </ConfirmButton>
      ))}
      {note ? (
        <span className="bulk-note" role="status">
          {note}
        </span>
      ) : null}
    </div>
  );
}
