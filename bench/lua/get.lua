-- GET one row per request, cycling through the ids in ids.txt (one per line).
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", os.getenv("BENCH_BASE") .. "/" .. ids[(n % #ids) + 1])
end
