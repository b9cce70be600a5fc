-- wrk script of the benchmarks: GET the paths of a file (one a line) in turn, each of the
-- THREADS threads from its own offset, and print the figures as one JSON line at the end.
--   wrk -t THREADS -c C -d 5s -s bench/wrk_paths.lua http://127.0.0.1:PORT -- FILE THREADS
local next_id = 0

function setup(thread)  -- in the main state, once per thread
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)  -- in each thread's own state
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  position = math.floor(#paths * id / tonumber(args[2]))
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"n": %d, "errors": %d, "elapsed_s": %.6f, "p50_ms": %.4f, ' ..
    '"p99_ms": %.4f, "mb": %.3f}\n', summary.requests,
    e.connect + e.read + e.write + e.timeout + e.status, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.bytes / 1e6))
end
