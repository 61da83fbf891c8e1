#include "app/components/backend/api/routing.hpp"

namespace app {

aegis::Router health_router() {
  aegis::Router r;
  r.get("/health", [](aegis::Request&, aegis::Response& res) {
     res.json_text(R"({"status":"healthy"})");
   }).summary("Liveness: answers while the process serves");
  return r;
}

}  // namespace app
