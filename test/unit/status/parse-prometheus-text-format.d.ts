// Types for the parse-prometheus-text-format dev dependency (it ships none).
declare module 'parse-prometheus-text-format' {
  export interface PrometheusMetric {
    readonly value?: string;
    readonly labels?: Readonly<Record<string, string>>;
  }
  export interface PrometheusFamily {
    readonly name: string;
    readonly help: string;
    readonly type: string;
    readonly metrics: readonly PrometheusMetric[];
  }
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
