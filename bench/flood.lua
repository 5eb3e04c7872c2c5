-- wrk script: every request asks a three-year daily series of a title never asked before (prefix after `--`):
-- distinct large answers (1096 days each), to fill both in-process caches past their byte budgets.
local prefix = "Flood"
local counter = 0

function init(args)
  prefix = args[1] or prefix
end

function request()
  counter = counter + 1
  local path = "/v1/pageviews/en.wikipedia/" .. prefix .. "_" .. counter
  return wrk.format(nil, path .. "?from=2021-01-01&to=2023-12-31&granularity=daily")
end
