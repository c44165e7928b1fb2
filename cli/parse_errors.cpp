#include "cli/parse_errors.h"

#include <cctype>
#include <regex>
#include <sstream>

namespace wattcast::cli {

namespace {

// The command the user typed ("wattcast estimate"), for the help hint.
std::string command_path(const CLI::App& app) {
  std::string path = app.get_name();
  for (const CLI::App* sub : app.get_subcommands()) path += " " + sub->get_name();
  return path;
}

// The option `name` of the command being parsed, if it is one.
const CLI::Option* find_option(const CLI::App& app, const std::string& name) {
  for (const CLI::App* sub : app.get_subcommands()) {
    if (const CLI::Option* option = sub->get_option_no_throw(name)) return option;
  }
  return app.get_option_no_throw(name);
}

std::string expected_kind(const CLI::Option* option) {
  if (option == nullptr) return "a valid value";
  const std::string type = option->get_type_name();
  if (type.find("UINT") != std::string::npos) return "a whole number, 0 or more";
  if (type.find("INT") != std::string::npos) return "a whole number";
  if (type.find("FLOAT") != std::string::npos) return "a number";
  return "a valid value";
}

std::string values(long count) { return count == 1 ? "one value" : std::to_string(count) + " values"; }

}  // namespace

std::string plain_parse_error(const CLI::ParseError& error, const CLI::App& app) {
  std::string message = error.what();
  const std::string help = " (see '" + command_path(app) + " --help')";
  std::smatch m;
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    // "The following arguments were not expected: -- --frobnicate": name what the user typed,
    // without the "--" separator.
    std::string unexpected;
    const auto colon = message.find(": ");
    std::string rest = colon == std::string::npos ? "" : message.substr(colon + 2);
    std::istringstream words(rest);
    for (std::string word; words >> word;) {
      if (word != "--") unexpected += (unexpected.empty() ? "'" : ", '") + word + "'";
    }
    const bool option = unexpected.size() > 1 && unexpected[1] == '-';
    return (option ? "unknown option " : "unexpected argument ") + (unexpected.empty() ? "'--'" : unexpected) + help;
  }
  if (std::regex_match(message, m, std::regex(R"((.+): At Most (\d+) required but received (\d+))"))) {
    const long most = std::stol(m[2]);
    if (most == 1) return m[1].str() + ": given more than once; it takes one value" + help;
    return m[1].str() + ": takes at most " + values(most) + ", got " + m[3].str() + help;
  }
  if (std::regex_match(message, m, std::regex(R"((.+): At least (\d+) required but received (\d+))"))) {
    return m[1].str() + ": needs at least " + values(std::stol(m[2])) + ", got " + m[3].str() + help;
  }
  if (std::regex_match(message, m, std::regex(R"(Expected at least (\d+) arguments? to (.+), got (\d+))")) ||
      std::regex_match(message, m, std::regex(R"(Expected (\d+) arguments? to (.+), got (\d+))"))) {
    return m[2].str() + ": needs " + values(std::stol(m[1])) + ", got " + m[3].str() + help;
  }
  if (std::regex_match(message, m, std::regex(R"(Could not convert: (.+) = (.*))"))) {
    return m[1].str() + ": expected " + expected_kind(find_option(app, m[1].str())) + ", got '" + m[2].str() + "'";
  }
  if (std::regex_match(message, m, std::regex(R"((.+): Value (.+) not in range .*)"))) {
    return m[1].str() + ": '" + m[2].str() + "' is out of range" + help;
  }
  if (message == "A subcommand is required") {
    std::string names;
    for (const CLI::App* command : app.get_subcommands({})) names += (names.empty() ? "" : ", ") + command->get_name();
    return "give a command: " + names + help;
  }
  if (std::regex_match(message, m, std::regex(R"((.+) is required)"))) {
    std::string name = m[1].str();
    if (name.rfind("-", 0) == 0) return name + ": is required" + help;
    // A positional argument, named as the help names it: "missing COMMAND".
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return "missing " + name + help;
  }
  // Anything else: CLI11's text, on one line.
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  return message + help;
}

}  // namespace wattcast::cli
