-- wrk script: PUT a distinct OCI image manifest under a distinct tag on every request, then print one
-- BENCH_RESULT JSON line. The URL ends in /manifests/; the manifest comes from BENCH_MANIFEST_TEMPLATE
-- with @SEQ@ replaced by the tag (an annotation), so every PUT stores new bytes. Args: <tag prefix>.
local template = os.getenv("BENCH_MANIFEST_TEMPLATE")
local threads = 0
local prefix = "r"
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  prefix = (args[1] or "r") .. "-t" .. tostring(id) .. "-"
  wrk.headers["Content-Type"] = "application/vnd.oci.image.manifest.v1+json"
end

function request()
  counter = counter + 1
  local tag = prefix .. counter
  local body = template:gsub("@SEQ@", tag)
  return wrk.format("PUT", wrk.path .. tag, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"status_errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
