#include "common/paths.h"

#include <filesystem>

namespace shopsight {

std::string executable_directory() {
  std::error_code error;
  const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string() : executable.parent_path().string();
}

std::string data_path(const std::string& relative, const std::string& marker) {
  const std::string executable = executable_directory();
  if (!executable.empty()) {
    const std::string installed = executable + "/../share/shopsight/" + relative;
    std::error_code error;
    if (std::filesystem::exists(installed + "/" + marker, error)) return installed;
  }
  return std::string(SHOPSIGHT_DATA_DIR) + "/" + relative;
}

}  // namespace shopsight
