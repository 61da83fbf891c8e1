-- Sends `depth` pipelined requests in each write.
-- Usage: wrk -s pipeline.lua http://127.0.0.1:PORT -- PATH [DEPTH] [METHOD] [JSON-BODY]
-- Defaults: "/plaintext", 16, GET, no body. A body is sent as application/json.

local batch

function init(args)
   local path = args[1] or "/plaintext"
   local depth = tonumber(args[2] or "16")
   local method = args[3] or "GET"
   local body = args[4]
   if depth == nil or depth < 1 then
      error("pipeline depth must be a positive integer, got " .. tostring(args[2]))
   end
   local headers = nil
   if body ~= nil then
      headers = { ["Content-Type"] = "application/json" }
   end
   local one = wrk.format(method, path, headers, body)
   batch = string.rep(one, math.floor(depth))
end

function request()
   return batch
end
