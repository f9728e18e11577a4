/** The jobs list's filters; applying them rewrites the URL so a filtered view can be shared. */
import { useEffect, useState, type FormEvent } from 'react';
import { JOB_STATES, type JobFilter } from '../api/types.js';
import { navigate } from '../hooks/use-route.js';

const FIELDS = ['queue', 'type', 'tag', 'id', 'text'] as const;
const LABELS = { queue: 'Queue', type: 'Type', tag: 'Tag', id: 'Id', text: 'Text' } as const;
const HINTS: Partial<Record<(typeof FIELDS)[number], string>> = {
  id: 'ids or short ids (…1a2b3c4d), comma-separated',
};

/** Edits `filter`; Apply navigates, Clear resets. */
export function JobsFilters({ filter }: { filter: JobFilter }) {
  const [draft, setDraft] = useState<JobFilter>(filter);
  useEffect(() => setDraft(filter), [filter]);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    navigate('/jobs', { ...draft });
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter jobs">
      <label>
        State
        <select value={draft.state ?? ''} onChange={(e) => setDraft({ ...draft, state: e.target.value })}>
          <option value="">any</option>
          {JOB_STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      {FIELDS.map((f) => (
        <label key={f}>
          {LABELS[f]}
          <input
            name={f}
            value={draft[f] ?? ''}
            onChange={(e) => setDraft({ ...draft, [f]: e.target.value })}
            placeholder="any"
            title={HINTS[f]}
          />
        </label>
      ))}
      <div className="filters-buttons">
        <button type="submit" className="btn btn-primary">
          Apply
        </button>
        <button type="button" className="btn btn-plain" onClick={() => navigate('/jobs')}>
          Clear
        </button>
      </div>
    </form>
  );
}
