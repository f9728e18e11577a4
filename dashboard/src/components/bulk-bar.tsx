/** Bulk retry / cancel / delete, of the selected rows or of everything the filter matches. */
import { useState } from 'react';
import { endpoints, type JobAction } from '../api/endpoints.js';
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

/** Reports how many jobs each action changed and how many it could not. */
export function BulkBar({ selected, filter, onDone }: BulkBarProps) {
  const [note, setNote] = useState<string | null>(null);
  const onSelected = async (action: JobAction): Promise<void> => {
    const results = await Promise.allSettled(selected.map((id) => endpoints.jobAction(id, action)));
    const failed = results.filter((r) => r.status === 'rejected').length;
    setNote(
      `${action}: ${results.length - failed} done${failed ? `, ${failed} refused (state does not allow it)` : ''}`,
    );
    onDone();
  };
  const onFilter = async (action: JobAction): Promise<void> => {
    const { id: _id, ...f } = filter;
    const n = await endpoints.bulk(action, { filter: f });
    setNote(`${action}: ${n} jobs matching the filter`);
    onDone();
  };
  return (
    <div className="bulk" role="toolbar" aria-label="Bulk actions">
      <span className="muted">{selected.length} selected:</span>
      {ACTIONS.map(([a, label]) => (
        <ConfirmButton
          key={`s-${a}`}
          disabled={selected.length === 0}
          question={`${label} ${selected.length} selected?`}
          onConfirm={() => onSelected(a)}
        >
          {label} selected
        </ConfirmButton>
      ))}
      <span className="muted">All matching:</span>
      {ACTIONS.map(([a, label]) => (
        <ConfirmButton
          key={`f-${a}`}
          question={`${label} every job matching the filter?`}
          onConfirm={() => onFilter(a)}
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
