// The web dashboard's static files: where they are found, and how a request
// path is mapped to a file without leaving the dashboard folder.

#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/i18n.h"
#include "common/log.h"
#include "common/paths.h"
#include "serve/api.h"

namespace shopsight::serve {
namespace {

namespace fs = std::filesystem;

// The dashboard contains no data, so it may load only its own scripts,
// styles and images. Inline styles are allowed because chart libraries set them.
constexpr const char* kContentSecurityPolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

struct MediaType {
  std::string_view extension;
  const char* type;
};

constexpr std::array<MediaType, 17> kMediaTypes = {{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".wasm", "application/wasm"},
}};

const char* media_type(const fs::path& file) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const MediaType& entry : kMediaTypes) {
    if (entry.extension == extension) return entry.type;
  }
  return "application/octet-stream";
}

// Maps a request path to a regular file under `root`, or nullopt. Segments
// that are empty, "." or ".." and backslashes are rejected before the file
// system is asked. cpp-httplib has already percent-decoded the path, so an
// encoded "%2e%2e" arrives here as "..". The canonical path must still lie
// under `root`, which also stops symbolic links that point out of it.
std::optional<fs::path> dashboard_file(const fs::path& root, const std::string& request_path) {
  std::string relative = request_path.substr(1);
  if (relative.empty()) relative = "index.html";
  std::size_t begin = 0;
  while (begin <= relative.size()) {
    std::size_t end = relative.find('/', begin);
    if (end == std::string::npos) end = relative.size();
    const std::string_view segment = std::string_view(relative).substr(begin, end - begin);
    if (segment.empty() || segment == "." || segment == "..") return std::nullopt;
    if (segment.find('\\') != std::string_view::npos || segment.find('\0') != std::string_view::npos) {
      return std::nullopt;
    }
    begin = end + 1;
  }

  std::error_code error;
  const fs::path file = fs::canonical(root / relative, error);
  if (error) return std::nullopt;
  if (std::mismatch(root.begin(), root.end(), file.begin(), file.end()).first != root.end()) return std::nullopt;
  if (!fs::is_regular_file(file, error)) return std::nullopt;
  return file;
}

std::optional<std::string> read_file(const fs::path& file) {
  std::ifstream input(file, std::ios::binary);
  if (!input) return std::nullopt;
  std::ostringstream content;
  content << input.rdbuf();
  if (input.bad()) return std::nullopt;
  return content.str();
}

void set_dashboard_headers(httplib::Response& response) {
  response.set_header("Content-Security-Policy", kContentSecurityPolicy);
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
}

}  // namespace

std::vector<std::string> dashboard_search_paths() {
  std::vector<std::string> paths;
  const fs::path executable_folder = shopsight::executable_directory();
  if (!executable_folder.empty()) {
    paths.push_back((executable_folder.parent_path() / "share" / "shopsight" / "dashboard").string());
  }
  paths.emplace_back(SHOPSIGHT_BUILD_DASHBOARD_DIR);
  return paths;
}

bool is_dashboard_directory(const std::string& directory) {
  std::error_code error;
  return !directory.empty() && fs::is_regular_file(fs::path(directory) / "index.html", error);
}

bool is_dashboard_path(const std::string& path) {
  return path != "/healthz" && path != "/metrics" && path != "/openapi.json" && path != "/api" &&
         !path.starts_with("/api/");
}

void serve_dashboard_file(const std::string& root, const httplib::Request& request, httplib::Response& response) {
  if (!is_dashboard_path(request.path)) {
    // An unknown API path: the error handler writes the JSON 404 body.
    response.status = 404;
    return;
  }
  set_dashboard_headers(response);
  if (root.empty()) {
    response.status = 404;
    response.set_content("dashboard not built: configure CMake with -DSHOPSIGHT_DASHBOARD=ON (needs Node.js and "
                         "npm) and build, or pass --dashboard DIR to shopsight serve\n",
                         "text/plain; charset=utf-8");
    return;
  }
  const std::optional<fs::path> file = dashboard_file(root, request.path);
  std::optional<std::string> content;
  if (file) {
    content = read_file(*file);
    // The file lies inside the dashboard folder, so its path is safe to log.
    if (!content) spdlog::warn("{}", tr("reading the dashboard file {} failed", file->string()));
  }
  if (!content) {
    response.status = 404;
    response.set_content("not found\n", "text/plain; charset=utf-8");
    return;
  }
  // Files under /assets/ have a content hash in their names, so a new build
  // gets new names; everything else, index.html above all, is revalidated.
  response.set_header("Cache-Control",
                      request.path.starts_with("/assets/") ? "max-age=31536000, immutable" : "no-cache");
  response.set_content(std::move(*content), media_type(*file));
}

}  // namespace shopsight::serve
