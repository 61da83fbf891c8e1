-- Sends `depth` pipelined GET requests in each write.
-- Usage: wrk -s pipeline.lua http://127.0.0.1:PORT -- /plaintext 16
-- Both arguments are optional (defaults: "/plaintext", 16).

local batch

function init(args)
   local path = args[1] or "/plaintext"
   local depth = tonumber(args[2] or "16")
   if depth == nil or depth < 1 then
      error("pipeline depth must be a positive integer, got " .. tostring(args[2]))
   end
   local one = wrk.format("GET", path)
   batch = string.rep(one, math.floor(depth))
end

function request()
   return batch
end
