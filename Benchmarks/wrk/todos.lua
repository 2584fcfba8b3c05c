-- wrk script: authenticated GET or POST /v1/todos; counts acknowledged creates (201) and non-2xx.
-- Env: TOKEN (access token), MODE (get|post).
local token = os.getenv("TOKEN")
local mode = os.getenv("MODE") or "get"
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  created = 0
  failed = 0
  counter = 0
end

function request()
  counter = counter + 1
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  if mode == "post" then
    local body = string.format('{"title":"bench %d-%d"}', id, counter)
    return wrk.format("POST", "/v1/todos", headers, body)
  end
  return wrk.format("GET", "/v1/todos?limit=20", headers)
end

function response(status, headers, body)
  if status == 201 then created = created + 1 end
  if status < 200 or status > 299 then failed = failed + 1 end
end

function done(summary, latency, requests)
  local c, f = 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    f = f + thread:get("failed")
  end
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d created=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    f, c, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
