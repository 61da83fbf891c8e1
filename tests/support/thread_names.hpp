#pragma once

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace aegis::test {

/// The names of this process's threads, as ps -L and top -H show them (/proc/self/task/*/comm).
inline std::multiset<std::string> thread_names() {
  std::multiset<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    names.insert(name);
  }
  return names;
}

}  // namespace aegis::test
