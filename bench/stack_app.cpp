// The default stack for bench/run: the example app's benchmark endpoints behind exactly the middleware the
// backend component ships by default (ServerErrors, CorrelationId, RequestLogging, SecurityHeaders) plus the
// example's Cors layer, and nothing of the example's own (no ServerTiming, no session layer, no modules).
// Set beside the bare router it measures what the framework's default stack costs.
#include <aegis/aegis.hpp>
#include <aegis/middleware/cors.hpp>

#include "app/components/backend/api/routing.hpp"

int main(int argc, char** argv) {
  aegis::AppSettings settings;
  settings.title = "Aegis default stack";
  aegis::App app(std::move(settings));
  app.add_middleware<aegis::Cors>({.allow_origins = {"http://localhost:5173", "http://127.0.0.1:5173"},
                                   .allow_methods = {"*"},
                                   .allow_headers = {"*"},
                                   .allow_credentials = true});
  app.include_router(app::benchmark_router());
  return aegis::run(argc, argv, app);
}
