-- wrk script for bench_intake_http.py: distinct valid trigger bodies, for a fixed time.
--
-- Arguments (after "--"): path, bearer token (or "-"), run id. wrk's -d sets how long.
-- Each request is another tenant (name, birth date, address) with its own source
-- reference, so every one is a new trigger and matching has name-key neighbours to
-- score, as a day's petitions would. Prints one JSON line at the end.

local first = {"Amina", "Jonas", "Fatima", "Ola", "Kari", "Mohammed", "Ingrid", "Ahmed",
               "Sofie", "Yusuf", "Nora", "Omar", "Emma", "Ali", "Sara", "Lars", "Maryam",
               "Henrik", "Aisha", "Per", "Hanne", "Khadija", "Tor", "Ibrahim", "Liv"}
local last = {"Hassan", "Berg", "Yusuf", "Hansen", "Johansen", "Olsen", "Larsen", "Ali",
              "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen", "Ahmed",
              "Johnsen", "Pettersen", "Eriksen", "Berntsen", "Haugen", "Osman", "Dahl"}
local streets = {{"Grønlandsleiret", "0190"}, {"Smalgangen", "0188"},
                 {"Bygdøynesveien", "0286"}, {"Kjelsåsveien", "0488"}, {"Nydalsveien", "0484"},
                 {"Ammerudveien", "0958"}, {"Cecilie Thoresens vei", "1153"},
                 {"Hallagerbakken", "1256"}}

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  run = args[3]
  headers = {["Content-Type"] = "application/json"}
  if args[2] ~= "-" then
    headers["Authorization"] = "Bearer " .. args[2]
  end
  sent, bad = 0, 0
end

local function pick(list, n)
  return list[(n % #list) + 1]
end

function request()
  sent = sent + 1
  local n = thread_id * 1000003 + sent
  local name = pick(first, n) .. " " .. pick(last, math.floor(n / #first))
  local street = pick(streets, math.floor(n / 7))
  local born = os.date("!%Y-%m-%d", ((n * 7919) % 12000) * 86400)
  local body = string.format(
    '{"kind":"eviction_petition",' ..
    '"source":{"type":"bailiff","name":"Oslo namsfogdkontor","reference":"BENCH-%s-%d-%d"},' ..
    '"tenant":{"name":"%s","birth_date":"%s",' ..
    '"address":{"street":"%s %d","postal_code":"%s","city":"Oslo"}},' ..
    '"household":{"children":[4,9],"adults":1},' ..
    '"eviction_date":"2027-02-15","arrears_amount":"38500.00"}',
    run, thread_id, sent, name, born, street[1], (n % 97) + 1, street[2])
  return wrk.format("POST", path, headers, body)
end

function response(status, _headers, _body)
  if status ~= 201 then
    bad = bad + 1
  end
end

function done(summary, latency, _requests)
  local refused = 0
  for _, thread in ipairs(threads) do
    refused = refused + thread:get("bad")
  end
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"refused":%d,' ..
    '"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    refused, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
