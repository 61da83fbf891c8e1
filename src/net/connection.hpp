#pragma once

#include <boost/asio/ip/tcp.hpp>

namespace aegis::net {

class Worker;

/// Starts serving an accepted socket on `worker`'s thread. The connection lives until the peer leaves, a
/// framing error or timeout closes it, or the server stops.
void spawn_connection(Worker& worker, boost::asio::ip::tcp::socket socket);

}  // namespace aegis::net
