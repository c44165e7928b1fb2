#include "report/report_assets.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/data_dir.h"

namespace wattcast {

Result<std::string> check_report_assets(std::string scripts, const std::string& path) {
  if (scripts.empty()) return Error::in_file(path, "empty: rebuild wattcast (the build bundles vega, vega-lite and vega-embed here)");
  std::string lower(scripts.size(), ' ');
  std::transform(scripts.begin(), scripts.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // Inlined, the first "</script" would end the page's script element early.
  if (lower.find("</script") != std::string::npos) return Error::in_file(path, "contains \"</script\", which cannot be inlined in a page");
  if (lower.find("vegaembed") == std::string::npos) return Error::in_file(path, "does not define vegaEmbed: not the report's charting scripts");
  return scripts;
}

Result<std::string> load_report_assets() {
  auto dir = find_data_dir();
  if (!dir) return dir.error();
  const std::string path = (std::filesystem::path(*dir) / kReportAssetsFile).string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::in_file(path, "missing: the build makes it from web/ with npm (install npm, see scripts/install-deps.sh, and rebuild)");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return check_report_assets(buffer.str(), path);
}

}  // namespace wattcast
