-- wrk script: every request is the largest batch (100 titles, three years of days), as in figure (f).
local titles = {}
for i = 0, 99 do
  titles[#titles + 1] = '"Batch_title_' .. i .. '"'
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"articles": [' .. table.concat(titles, ",") .. '], "from": "2021-01-01", "to": "2023-12-31", '
  .. '"granularity": "daily"}'
