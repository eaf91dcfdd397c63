-- PATCH a row per request, cycling through the ids in ids.txt.
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local n = 0
-- wrk.format drops the -H headers when given its own table: merge them.
local function with_json()
  local headers = {["Content-Type"] = "application/json"}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  return headers
end
request = function()
  n = n + 1
  local body = '{"title": "task patched ' .. n .. '"}'
  return wrk.format("PATCH", os.getenv("BENCH_BASE") .. "/" .. ids[(n % #ids) + 1],
                    with_json(), body)
end
