-- Appended to every script: one JSON line of results. summary.errors.status counts answers
-- with a status of 400 or more (no per-response callback: it would slow wrk down).
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "p50_us": %d, "p99_us": %d, "socket_errors": %d, "http_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    errors, summary.errors.status))
end
