-- wrk script: GET one OCI image manifest by tag (the URL), then print one BENCH_RESULT JSON line.
wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"status_errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
