-- wrk script: replay pre-signed Twilio requests, each wrk thread its own share of them.
-- args: <file> <threads> <path>; lines are "<urlencoded body>\t<signature>".
local lines = {}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads, path = args[1], tonumber(args[2]), args[3]
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == id then
      local body, sig = line:match("([^\t]*)\t(.*)")
      local headers = {}
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      headers["X-Twilio-Signature"] = sig
      table.insert(lines, wrk.format("POST", path, headers, body))
    end
    i = i + 1
  end
end

function request()
  counter = counter + 1
  if counter > #lines then counter = 1 end
  return lines[counter]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
