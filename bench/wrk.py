"""wrk as the load generator: a Lua script for the request sequence, its summary as JSON."""

from __future__ import annotations

import json

# init() builds every request once (cheap per request); done() prints one JSON line in the
# shape loadgen.py prints, percentiles from wrk's own latency histogram.
LUA = """
local steps, body, reqs, i = {%(steps)s}, %(body)s, {}, 0
init = function()
  for n, s in ipairs(steps) do
    if s[1] == "POST" then
      reqs[n] = wrk.format("POST", s[2], {["Content-Type"] = "application/json"}, body)
    else
      reqs[n] = wrk.format("GET", s[2])
    end
  end
end
request = function()
  i = i + 1
  return reqs[(i %% #reqs) + 1]
end
done = function(s, latency, _)
  local e = s.errors
  io.write(string.format('{"requests": %%d, "errors": %%d, "non_2xx_3xx": %%d, '
    .. '"seconds": %%.3f, "rps": %%.1f, "p50_ms": %%.3f, "p90_ms": %%.3f, "p99_ms": %%.3f, '
    .. '"max_ms": %%.3f}\\n', s.requests, e.status + e.connect + e.read + e.write + e.timeout,
    e.status, s.duration / 1e6, s.requests / (s.duration / 1e6), latency:percentile(50) / 1e3,
    latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3))
end
"""


def script(steps: list[tuple[str, str]], body: str) -> str:
    """The Lua script that sends `steps` ((method, path) pairs) round-robin."""
    listed = ", ".join(f"{{{json.dumps(method)}, {json.dumps(path)}}}" for method, path in steps)
    return LUA % {"steps": listed, "body": json.dumps(body)}


def command(port: int, lua_path: str, *, connections: int, seconds: int) -> list[str]:
    """wrk on one thread (one core), a long timeout so slow answers count as latency."""
    return [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "60s",
        "-s",
        lua_path,
        f"http://127.0.0.1:{port}",
    ]


def parse(output: str) -> dict:
    """The JSON summary from wrk's stdout (the last line that is a JSON object)."""
    for line in reversed(output.splitlines()):
        if line.startswith("{"):
            result = json.loads(line)
            result["readings"] = None  # wrk cannot tell a finished reading from a pending one
            return result
    raise ValueError("no summary line in wrk's output")
