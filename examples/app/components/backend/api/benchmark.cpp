// The two TechEmpower endpoints bench/run measures against its baselines.
#include "app/components/backend/api/routing.hpp"

namespace app {

aegis::Router benchmark_router() {
  aegis::Router r;
  r.get("/plaintext", [](aegis::Request&, aegis::Response& res) {
     res.set_header("Content-Type", "text/plain");
     res.set_body("Hello, World!");
   }).summary("Plain text hello (TechEmpower plaintext)");
  r.get("/json", [](aegis::Request&, aegis::Response& res) {
     res.json_text(R"({"message":"Hello, World!"})");
   }).summary("JSON hello (TechEmpower json)");
  return r;
}

}  // namespace app
