-- wrk script: POST /v1/check/liveness with a prepared JSON body, and collect the server's own
-- timing from the Server-Timing header (total, queue, engine; ms) for every response.
--   LIVECHECK_BODY=body.json LIVECHECK_API_KEY=lc_... wrk -s bench/wrk/check.lua http://host:port
-- Prints one JSON line (prefix "LIVECHECK_STATS ") after wrk's own report.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("LIVECHECK_BODY"), "rb"))
  wrk.method = "POST"
  wrk.path = "/v1/check/liveness"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-API-Key"] = os.getenv("LIVECHECK_API_KEY")
  totals, queues, engines = {}, {}, {}
  codes = {}
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
  local t = headers["Server-Timing"] or headers["server-timing"]
  if status == 200 and t then
    local total = tonumber(t:match("total;dur=([%d%.]+)"))
    local queue = tonumber(t:match("queue;dur=([%d%.]+)")) or 0
    local engine = tonumber(t:match("engine;dur=([%d%.]+)"))
    if total and engine then
      table.insert(totals, total)
      table.insert(queues, queue)
      table.insert(engines, engine)
    end
  end
end

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  local i = math.max(1, math.ceil(#sorted * p))
  return sorted[i]
end

function done(summary, latency, requests)
  local all_total, all_overhead, all_engine, all_queue = {}, {}, {}, {}
  local all_codes = {}
  for _, t in ipairs(threads) do
    local tt, qq, ee = t:get("totals"), t:get("queues"), t:get("engines")
    for i = 1, #tt do
      table.insert(all_total, tt[i])
      table.insert(all_engine, ee[i])
      table.insert(all_queue, qq[i])
      table.insert(all_overhead, tt[i] - qq[i] - ee[i])
    end
    for k, v in pairs(t:get("codes")) do all_codes[tostring(k)] = (all_codes[tostring(k)] or 0) + v end
  end
  for _, a in ipairs({all_total, all_overhead, all_engine, all_queue}) do table.sort(a) end
  local codes_json = {}
  for k, v in pairs(all_codes) do table.insert(codes_json, string.format('"%s":%d', k, v)) end
  io.write(string.format(
    'LIVECHECK_STATS {"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,' ..
    '"server_total_p50_ms":%.2f,"queue_p50_ms":%.2f,"engine_p50_ms":%.2f,' ..
    '"overhead_p50_ms":%.3f,"overhead_p99_ms":%.3f,"codes":{%s},"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    percentile(all_total, 0.5), percentile(all_queue, 0.5), percentile(all_engine, 0.5),
    percentile(all_overhead, 0.5), percentile(all_overhead, 0.99), table.concat(codes_json, ","),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
