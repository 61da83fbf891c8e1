// The one translation unit that compiles Asio and Beast (BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION are set for the whole library), so every other file only parses headers.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
