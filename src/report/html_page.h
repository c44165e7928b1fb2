#pragma once
// The report's single HTML file: inline CSS, the charting scripts inlined, every chart's spec as
// JSON in the page, and a small script that embeds each chart with vega-embed (SVG renderer).
// Nothing is fetched, so the file opens offline and can be mailed or archived as it is.
//
// The page reports on itself in <div id="wattcast-status" data-expected="N" data-charts="N"
// data-errors="0" data-state="done">: charts rendered, errors seen (window.onerror, console.error,
// failed embeds; their messages are listed inside it), so a headless browser's DOM dump shows
// whether every chart rendered.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wattcast {

struct PageChart {
  std::string id;  // the container's element id; unique in the page
  nlohmann::json spec;
};

struct PageSection {
  std::string heading;
  std::vector<std::string> lines;  // plain text, one paragraph each
  std::vector<PageChart> charts;
  // Each table's first row is the header.
  std::vector<std::vector<std::vector<std::string>>> tables;
  std::vector<std::string> notes;               // why a chart is missing, how data was thinned
};

struct Page {
  std::string title;
  std::vector<std::string> lines;  // under the title
  std::vector<PageSection> sections;
};

// `charting_scripts` is report-assets.js (vega, vega-lite, vega-embed); it must not contain
// "</script" (see report_assets.h, which checks).
std::string render_page(const Page& page, const std::string& charting_scripts);

// Text for HTML content and attribute values.
std::string escape_html(const std::string& text);
// JSON safe inside <script type="application/json">: '<', '>' and '&' as \u escapes, so a
// string holding "</script>" or "<!--" cannot end or change the element.
std::string json_for_script(const nlohmann::json& value);

}  // namespace wattcast
