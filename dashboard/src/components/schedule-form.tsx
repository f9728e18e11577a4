/**
 * Add or edit a schedule: its name, when it fires (cron or a phrase, with the next fire times
 * previewed as you type), time zone, and the job it enqueues (type, queue, payload and options
 * as JSON). Saving replaces the schedule; its paused state is kept.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { endpoints } from '../api/endpoints.js';
import type { ScheduleJson } from '../api/types.js';
import { useOffline } from '../hooks/use-live.js';
import { describeSpec } from '../lib/describe-spec.js';
import { errorText } from './action-button.js';
import { JsonEditor, parseJson } from './json-editor.js';
import { InlineError } from './inline-error.js';

/** Wait after the last keystroke before previewing a spec, ms. */
const PREVIEW_DELAY_MS = 300;

/** Props of `ScheduleForm`. */
export interface ScheduleFormProps {
  /** The schedule to edit; `null` to add one. */
  initial: ScheduleJson | null;
  onSaved: (s: ScheduleJson) => void;
  onCancel: () => void;
}

const json = (v: unknown): string => JSON.stringify(v ?? {}, null, 2);

/** The form. */
export function ScheduleForm({ initial, onSaved, onCancel }: ScheduleFormProps) {
  const offline = useOffline();
  const [name, setName] = useState(initial?.name ?? '');
  const [spec, setSpec] = useState(initial?.spec ?? 'every 5 minutes');
  const [timezone, setTimezone] = useState(initial?.timezone ?? '');
  const [type, setType] = useState(initial?.template.type ?? '');
  const [queue, setQueue] = useState(initial?.template.queue ?? '');
  const [payload, setPayload] = useState(json(initial?.template.payload));
  const [options, setOptions] = useState(json(initial?.template.options));
  const [preview, setPreview] = useState<{ times: string[]; error: string | null }>({ times: [], error: null });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!spec.trim()) return;
    let current = true;
    const t = setTimeout(() => {
      endpoints.schedulePreview(spec, timezone.trim() || null).then(
        (times) => current && setPreview({ times, error: null }),
        (err: unknown) => current && setPreview({ times: [], error: errorText(err) }),
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(t);
    };
  }, [spec, timezone]);

  const p = parseJson(payload);
  const o = parseJson(options);
  const optionsError =
    o.error ??
    (o.value && typeof o.value === 'object' && !Array.isArray(o.value) ? null : 'Options are a JSON object.');
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (p.error || optionsError) return;
    setBusy(true);
    setError(null);
    try {
      const opts = o.value as Record<string, unknown>;
      const saved = await endpoints.scheduleSave(name.trim(), {
        spec: spec.trim(),
        timezone: timezone.trim() || null,
        template: {
          type: type.trim(),
          ...(queue.trim() ? { queue: queue.trim() } : {}),
          payload: p.value,
          ...(Object.keys(opts).length ? { options: opts } : {}),
        },
      });
      onSaved(saved);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const words = describeSpec(spec);
  return (
    <form
      className="card schedule-form"
      onSubmit={(e) => void submit(e)}
      aria-label={initial ? `Edit schedule ${initial.name}` : 'Add a schedule'}
    >
      <h2>{initial ? `Edit ${initial.name}` : 'Add a schedule'}</h2>
      <div className="form-grid">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} disabled={Boolean(initial)} required />
        </label>
        <label>
          When (cron or phrase)
          <input value={spec} onChange={(e) => setSpec(e.target.value)} required />
        </label>
        <label>
          Time zone
          <input value={timezone} onChange={(e) => setTimezone(e.target.value)} placeholder="UTC" />
        </label>
        <label>
          Job type
          <input value={type} onChange={(e) => setType(e.target.value)} required />
        </label>
        <label>
          Queue
          <input value={queue} onChange={(e) => setQueue(e.target.value)} placeholder="default" />
        </label>
      </div>
      <div className="muted small" data-testid="schedule-preview">
        {preview.error ? (
          <span className="action-error">{preview.error}</span>
        ) : (
          <>
            {words !== spec ? `${words}. ` : ''}
            {preview.times.length ? `Next: ${preview.times.map((t) => new Date(t).toLocaleString()).join(' · ')}` : ''}
          </>
        )}
      </div>
      <div className="grid-2">
        <JsonEditor
          id="schedule-payload"
          label="Payload (JSON)"
          value={payload}
          onChange={setPayload}
          error={p.error}
          rows={5}
        />
        <JsonEditor
          id="schedule-options"
          label="Job options (JSON: priority, maxAttempts, timeout…)"
          value={options}
          onChange={setOptions}
          error={optionsError}
          rows={5}
        />
      </div>
      <div className="actions">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={busy || offline || Boolean(p.error || optionsError)}
        >
          Save schedule
        </button>
        <button type="button" className="btn btn-plain" onClick={onCancel}>
          Cancel
        </button>
        <InlineError message={error} />
      </div>
    </form>
  );
}
