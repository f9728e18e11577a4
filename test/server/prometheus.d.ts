/** Types of the Prometheus text-format parser used by the server tests. */
declare module 'parse-prometheus-text-format' {
  /** One parsed sample (counter, gauge) or histogram series. */
  export interface PromSample {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  /** One metric family. */
  export interface PromFamily {
    name: string;
    help: string;
    type: string;
    metrics: PromSample[];
  }
  /** Parses Prometheus text exposition format; throws on malformed input. */
  export default function parsePrometheusTextFormat(text: string): PromFamily[];
}
