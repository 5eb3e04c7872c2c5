-- wrk script: every request asks a title never asked before (prefix from the command line after `--`).
local prefix = "Fill"
local counter = 0

function init(args)
  prefix = args[1] or prefix
end

function request()
  counter = counter + 1
  return wrk.format(nil, "/monthly_view_count/" .. prefix .. "_" .. counter .. "/2023/10")
end
