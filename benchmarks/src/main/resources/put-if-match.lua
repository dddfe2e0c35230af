-- wrk -t N -c N: one connection per thread, so each thread has one request in flight and knows the version its
-- resources are at. Thread i updates tenants <prefix>-i-0 .. -(RESOURCES-1) in turn with If-Match, taking each next
-- version from the response's ETag. Environment: BENCH_TOKEN, BENCH_PREFIX, BENCH_RESOURCES.
local threads = {}
local created = 0

function setup(thread)
  thread:set("index", created)
  created = created + 1
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("BENCH_TOKEN")
  prefix = os.getenv("BENCH_PREFIX")
  resources = tonumber(os.getenv("BENCH_RESOURCES") or "4")
  versions = {}
  for r = 1, resources do versions[r] = "1" end
  turn = 0
  current = 1
  accepted = 0
  refused = 0
end

function request()
  turn = turn + 1
  current = turn % resources + 1
  return wrk.format("PUT", "/api/v1/tenants/" .. prefix .. "-" .. index .. "-" .. (current - 1), {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["If-Match"] = '"' .. versions[current] .. '"',
  }, '{"display_name":"w' .. turn .. '"}')
end

function response(status, headers, body)
  local etag = headers["ETag"] or headers["etag"]
  if status == 200 and etag then
    versions[current] = etag:gsub('"', "")
    accepted = accepted + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local accepted_total, refused_total = 0, 0
  for _, thread in ipairs(threads) do
    accepted_total = accepted_total + thread:get("accepted")
    refused_total = refused_total + thread:get("refused")
  end
  io.write(string.format(
    'RESULT {"requests":%d,"accepted":%d,"refused":%d,"socket_errors":%d,"seconds":%.3f,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, accepted_total, refused_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50), latency:percentile(99), latency.max))
end
