-- DELETE each id once; ids.txt must hold more ids than the run can delete.
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("DELETE", os.getenv("BENCH_BASE") .. "/" .. ids[math.min(n, #ids)])
end
