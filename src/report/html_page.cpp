#include "report/html_page.h"

#include <fmt/format.h>

namespace wattcast {

namespace {

constexpr const char* kStyle = R"css(
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1000px; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 4px; }
h2 { font-size: 1.15em; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p { margin: 4px 0; }
.chart { margin: 12px 0; min-height: 40px; }
.note { color: #666; font-size: 0.9em; }
table { border-collapse: collapse; margin: 12px 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
#wattcast-status { color: #666; font-size: 0.8em; margin-top: 32px; }
#wattcast-status .error { color: #b00020; }
)css";

// Runs before the charting scripts, so an error in them is counted too.
constexpr const char* kErrorTrap = R"js(
(function () {
  var status = document.getElementById("wattcast-status");
  function record(message) {
    status.setAttribute("data-errors", String(Number(status.getAttribute("data-errors")) + 1));
    var line = document.createElement("div");
    line.className = "error";
    line.textContent = String(message);
    status.appendChild(line);
  }
  window.wattcastRecordError = record;
  window.onerror = function (message, source, line) { record(message + " (line " + line + ")"); };
  window.addEventListener("unhandledrejection", function (event) { record("unhandled rejection: " + event.reason); });
  var consoleError = console.error;
  console.error = function () {
    record(Array.prototype.join.call(arguments, " "));
    return consoleError.apply(console, arguments);
  };
})();
)js";

// Embeds every chart; the status element says how many rendered and when all have settled.
constexpr const char* kEmbed = R"js(
(function () {
  var status = document.getElementById("wattcast-status");
  var charts = JSON.parse(document.getElementById("wattcast-specs").textContent);
  var rendered = 0;
  var embeds = charts.map(function (chart) {
    var options = { mode: "vega-lite", renderer: "svg", actions: false };
    return vegaEmbed("#" + chart.id, chart.spec, options).then(function () {
      rendered += 1;
      status.setAttribute("data-charts", String(rendered));
    }).catch(function (error) {
      window.wattcastRecordError("chart " + chart.id + ": " + (error && error.message ? error.message : error));
    });
  });
  Promise.all(embeds).then(function () {
    status.setAttribute("data-state", "done");
    status.insertBefore(document.createTextNode(rendered + " of " + charts.length + " charts rendered"), status.firstChild);
  });
})();
)js";

void append_table(std::string& out, const std::vector<std::vector<std::string>>& table) {
  if (table.empty()) return;
  out += "<table>\n<tr>";
  for (const auto& cell : table.front()) out += "<th>" + escape_html(cell) + "</th>";
  out += "</tr>\n";
  for (size_t r = 1; r < table.size(); ++r) {
    out += "<tr>";
    for (const auto& cell : table[r]) out += "<td>" + escape_html(cell) + "</td>";
    out += "</tr>\n";
  }
  out += "</table>\n";
}

}  // namespace

std::string escape_html(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_for_script(const nlohmann::json& value) {
  // Invalid UTF-8 in a run's command is replaced rather than thrown on.
  const std::string dumped = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(dumped.size());
  for (char c : dumped) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_page(const Page& page, const std::string& charting_scripts) {
  nlohmann::json charts = nlohmann::json::array();
  std::string body;
  for (const auto& section : page.sections) {
    body += "<section>\n<h2>" + escape_html(section.heading) + "</h2>\n";
    for (const auto& line : section.lines) body += "<p>" + escape_html(line) + "</p>\n";
    for (const auto& chart : section.charts) {
      body += "<div class=\"chart\" id=\"" + escape_html(chart.id) + "\"></div>\n";
      charts.push_back({{"id", chart.id}, {"spec", chart.spec}});
    }
    for (const auto& table : section.tables) append_table(body, table);
    for (const auto& note : section.notes) body += "<p class=\"note\">" + escape_html(note) + "</p>\n";
    body += "</section>\n";
  }
  std::string header;
  for (const auto& line : page.lines) header += "<p>" + escape_html(line) + "</p>\n";

  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<style>{style}</style>\n</head>\n"
      "<body>\n<h1>{title}</h1>\n{header}{body}"
      "<div id=\"wattcast-status\" data-expected=\"{expected}\" data-charts=\"0\" data-errors=\"0\" data-state=\"loading\"></div>\n"
      "<script>{trap}</script>\n<script>\n{scripts}\n</script>\n"
      "<script type=\"application/json\" id=\"wattcast-specs\">{specs}</script>\n<script>{embed}</script>\n</body>\n</html>\n",
      fmt::arg("title", escape_html(page.title)), fmt::arg("style", kStyle), fmt::arg("header", header), fmt::arg("body", body),
      fmt::arg("expected", charts.size()), fmt::arg("trap", kErrorTrap), fmt::arg("scripts", charting_scripts),
      fmt::arg("specs", json_for_script(charts)), fmt::arg("embed", kEmbed));
}

}  // namespace wattcast
