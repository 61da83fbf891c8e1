#pragma once

// The service layer the data endpoints call (Aegis Stack's app/services/data_service.py): the endpoints
// only translate HTTP; the logic lives here and is tested on its own.

#include <aegis/json/types.hpp>

#include <boost/describe.hpp>

#include <aegis/json/rules.hpp>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace app {

struct DataStats {
  std::int64_t records = 0;
  std::int64_t ingestions = 0;
  std::optional<aegis::DateTime> last_ingestion;
  bool running = false;
};
BOOST_DESCRIBE_STRUCT(DataStats, (), (records, ingestions, last_ingestion, running))

struct IngestRequest {
  std::string source;
  int records = 0;
};
BOOST_DESCRIBE_STRUCT(IngestRequest, (), (source, records))
AEGIS_FIELD_RULES(IngestRequest, (source, aegis::MinLength<1>, aegis::MaxLength<64>),
                  (records, aegis::Min<1>, aegis::Max<100000>))

struct IngestResult {
  std::string status;
  std::string source;
  std::int64_t accepted = 0;
  std::int64_t total_records = 0;
};
BOOST_DESCRIBE_STRUCT(IngestResult, (), (status, source, accepted, total_records))

/// Counts what was ingested. Thread-safe: endpoints call it from every I/O thread and the blocking pool.
class DataService {
 public:
  void start();
  void stop();
  bool running() const;
  DataStats stats() const;
  /// Ingests a batch (simulated work: a few milliseconds per thousand records, so it runs on the blocking
  /// pool). Throws aegis::HttpError(503) when the service is not running.
  IngestResult ingest(const IngestRequest& request);

 private:
  mutable std::mutex mutex_;
  bool running_ = false;
  DataStats stats_;
};

}  // namespace app
