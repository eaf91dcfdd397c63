-- POST a new row per request.
local n = 0
-- wrk.format drops the -H headers when given its own table: merge them.
local function with_json()
  local headers = {["Content-Type"] = "application/json"}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  return headers
end
request = function()
  n = n + 1
  local body = '{"title": "bench ' .. n .. '", "priority": "high", "tags": ["bench"]}'
  return wrk.format("POST", os.getenv("BENCH_BASE"), with_json(), body)
end
