#include "core/toml_value.h"

#include <fmt/format.h>

namespace wattcast {

std::string toml_value_text(const toml::node& node) {
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto f = node.as_floating_point()) return fmt::format("{}", f->get());
  if (auto b = node.as_boolean()) return b->get() ? "true" : "false";
  return {};
}

}  // namespace wattcast
