#include "app/services/data_service.hpp"

#include <aegis/http/http_error.hpp>

#include <chrono>
#include <thread>

namespace app {

void DataService::start() {
  std::lock_guard lock(mutex_);
  running_ = true;
  stats_.running = true;
}

void DataService::stop() {
  std::lock_guard lock(mutex_);
  running_ = false;
  stats_.running = false;
}

bool DataService::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

DataStats DataService::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

IngestResult DataService::ingest(const IngestRequest& request) {
  if (!running()) throw aegis::HttpError(503, "The data service is not running");
  // Stands in for real work (parsing, storing): it blocks, which is why the route is .blocking().
  std::this_thread::sleep_for(std::chrono::microseconds(request.records));
  std::lock_guard lock(mutex_);
  stats_.records += request.records;
  stats_.ingestions += 1;
  stats_.last_ingestion = aegis::DateTime{std::chrono::time_point_cast<std::chrono::microseconds>(
                                              std::chrono::system_clock::now()),
                                          0};
  return {"ingestion_completed", request.source, request.records, stats_.records};
}

}  // namespace app
