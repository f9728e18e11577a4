/**
 * Bulk retry / cancel / delete, of the selected rows or of everything the filter matches. The
 * report says how many jobs changed, how many the action left alone because of their state
 * (by state), and for a delete that left live jobs, offers to delete those too (force).
 */
import { useState } from 'react';
import { endpoints, type BulkAction, type BulkResult, type BulkTarget } from '../api/endpoints.js';
import { LIVE_STATES, type JobFilter } from '../api/types.js';
import { ConfirmButton } from './confirm-button.js';

const ACTIONS: [BulkAction, string, string][] = [
  ['retry', 'Retry', 'retried'],
  ['cancel', 'Cancel', 'cancelled'],
  ['delete', 'Delete', 'deleted'],
];

const n = (v: number): string => v.toLocaleString();

/** The words of a bulk action's outcome. */
export function describeBulk(action: BulkAction, r: BulkResult): string {
  const done = ACTIONS.find((a) => a[0] === action)?.[2] ?? action;
  const parts = [`${n(r.affected)} ${done}`];
  const changed = r.matched - r.affected;
  if (changed > 0) parts.push(`${n(changed)} skipped (their state changed meanwhile)`);
  const left = Object.entries(r.ineligible ?? {}).filter(([, c]) => (c ?? 0) > 0);
  const leftTotal = left.reduce((t, [, c]) => t + (c ?? 0), 0);
  if (leftTotal > 0) {
    const by = left.map(([s, c]) => `${s} ${n(c ?? 0)}`).join(', ');
    parts.push(`${n(leftTotal)} not ${done}: their state does not allow it (${by})`);
  }
  return `${parts.join('; ')}${r.more ? '. More match: run it again.' : '.'}`;
}

/** Live jobs a delete left alone (they can be deleted with force). */
function liveLeft(r: BulkResult): number {
  return Object.entries(r.ineligible ?? {}).reduce(
    (t, [s, c]) => t + (LIVE_STATES.includes(s as (typeof LIVE_STATES)[number]) ? (c ?? 0) : 0),
    0,
  );
}

/** Props of `BulkBar`. */
export interface BulkBarProps {
  selected: string[];
  filter: JobFilter;
  onDone: () => void;
}

/**
 * The server skips jobs whose state does not allow the action (and counts them), and refuses
 * a bulk action without any filter (so "all" is never everything).
 */
export function BulkBar({ selected, filter, onDone }: BulkBarProps) {
  const [note, setNote] = useState<{ text: string; forceTarget: BulkTarget | null; live: number } | null>(null);
  const run = async (action: BulkAction, target: BulkTarget, force = false): Promise<void> => {
    const r = await endpoints.bulk(action, target, force);
    const live = action === 'delete' && !force ? liveLeft(r) : 0;
    setNote({ text: `${action}${force ? ' (force)' : ''}: ${describeBulk(action, r)}`, forceTarget: target, live });
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
        <span className="bulk-note" role="status" data-testid="bulk-note">
          {note.text}
          {note.live > 0 && note.forceTarget ? (
            <>
              {' '}
              <ConfirmButton
                variant="danger"
                question={`Delete ${n(note.live)} live jobs too (force)?`}
                onConfirm={() => run('delete', note.forceTarget!, true)}
              >
                Delete the {n(note.live)} live ones too (force)
              </ConfirmButton>
            </>
          ) : null}
        </span>
      ) : null}
    </div>
  );
}
