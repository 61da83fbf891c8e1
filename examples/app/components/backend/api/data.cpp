// The seed's data router: the endpoints translate HTTP and call the service layer.
#include "app/components/backend/api/routing.hpp"

namespace app {

struct StatsResponse {
  std::string status;
  DataStats data;
};
BOOST_DESCRIBE_STRUCT(StatsResponse, (), (status, data))

aegis::Router data_router() {
  aegis::Router r;
  r.get("/data/stats", [](aegis::State<DataService> data) { return StatsResponse{"success", data->stats()}; })
      .summary("What the data service has ingested so far");
  r.post("/data/ingest",
         [](aegis::State<DataService> data, aegis::Body<std::optional<IngestRequest>> request) {
           return data->ingest(request->value_or(IngestRequest{"manual", 1000}));
         })
      .status(202)
      .blocking()
      .dependencies({aegis::require_permission("data.ingest")})
      .summary("Ingest a batch (runs on the blocking pool)")
      .description("Without a body, ingests a manual batch of 1000 records.");
  return r;
}

}  // namespace app
