-- wrk script for ask-load.sh: POSTs a question the sample corpus's router sends to GENERATE (intent battery_range,
-- not answered directly), so every request needs the reader; counts the answers by HTTP status.
-- wrk ... -s ask.lua URL -- honour : after a 429/503 the next request waits Retry-After seconds, as a polite client
-- would (approximately: wrk asks delay() per thread, so a thread's next request after a refusal is the one delayed).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
-- RAGLINE_BODY replaces the body (ask-load.sh sets a search request for ENDPOINT=search).
wrk.body = os.getenv("RAGLINE_BODY") or '{"question": "Will the battery get me 60 km to work and back?"}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  honour = args[1] == "honour"
  backoff = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if honour and (status == 429 or status == 503) then
    table.insert(backoff, tonumber(headers["Retry-After"] or headers["retry-after"] or "1") * 1000)
  end
end

function delay()
  if #backoff > 0 then return table.remove(backoff, 1) end
  return 0
end

-- One machine-readable line, parsed by ask-load.sh.
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT seconds=%.1f requests=%d rps=%.2f ok_rps=%.2f p50_ms=%.0f p99_ms=%.0f max_ms=%.0f s200=%d s429=%d s503=%d other=%d timeouts=%d socket_errors=%d\n",
    seconds, summary.requests, summary.requests / seconds, (total[200] or 0) / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    total[200] or 0, total[429] or 0, total[503] or 0,
    summary.requests - (total[200] or 0) - (total[429] or 0) - (total[503] or 0),
    summary.errors.timeout, summary.errors.connect + summary.errors.read + summary.errors.write))
end
