/** In-process counters exposed at /metrics in the Prometheus text format. */
export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly durationSum = new Map<string, number>();

  observe(method: string, route: string, status: number, durationSeconds: number): void {
    const labels = `method="${method}",route="${route}",status="${status}"`;
    this.requests.set(labels, (this.requests.get(labels) ?? 0) + 1);
    this.durationSum.set(labels, (this.durationSum.get(labels) ?? 0) + durationSeconds);
  }

  render(): string {
    const lines = [
      "# HELP prepaid_http_requests_total HTTP requests answered, by route and status.",
      "# TYPE prepaid_http_requests_total counter",
      ...[...this.requests].map(([labels, n]) => `prepaid_http_requests_total{${labels}} ${n}`),
      "# HELP prepaid_http_request_duration_seconds_sum Time spent answering, by route and status.",
      "# TYPE prepaid_http_request_duration_seconds_sum counter",
      ...[...this.durationSum].map(([labels, s]) => `prepaid_http_request_duration_seconds_sum{${labels}} ${s.toFixed(6)}`),
      "# HELP prepaid_process_resident_memory_bytes Resident set size.",
      "# TYPE prepaid_process_resident_memory_bytes gauge",
      `prepaid_process_resident_memory_bytes ${process.memoryUsage().rss}`,
    ];
    return `${lines.join("\n")}\n`;
  }
}
