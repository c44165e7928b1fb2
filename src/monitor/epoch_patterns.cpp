#include "monitor/epoch_patterns.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <utility>

namespace wattcast {

// ---------------------------------------------------------------------------------------------
// Small text helpers

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_left(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  return text;
}

std::string_view trim(std::string_view text) {
  text = trim_left(text);
  while (!text.empty() && (is_blank(text.back()) || text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

// A whole token as a number ("0.31", "1e-05", "nan"); partial parses ("12s") are not numbers.
std::optional<double> parse_number(std::string_view token) {
  token = trim(token);
  if (token.empty() || token.size() > 64) return std::nullopt;
  std::string text(token);
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

// Leading decimal digits as an int; advances `text` past them.
std::optional<int> take_int(std::string_view& text) {
  size_t digits = 0;
  while (digits < text.size() && digits < 9 && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < digits; ++i) value = value * 10 + (text[i] - '0');
  text.remove_prefix(digits);
  return value;
}

// The first "n/total" progress counter in `text`, as {n, total}.
std::optional<std::pair<int, int>> find_progress_counter(std::string_view text) {
  for (size_t slash = text.find('/'); slash != std::string_view::npos; slash = text.find('/', slash + 1)) {
    size_t start = slash;
    while (start > 0 && std::isdigit(static_cast<unsigned char>(text[start - 1]))) --start;
    if (start == slash) continue;
    std::string_view done_text = text.substr(start, slash - start);
    std::string_view total_text = text.substr(slash + 1);
    auto done = take_int(done_text);
    auto total = take_int(total_text);
    if (done && total) return std::make_pair(*done, *total);
  }
  return std::nullopt;
}

bool is_complete_progress(std::string_view text) {
  auto counter = find_progress_counter(text);
  return counter && counter->first == counter->second && counter->second > 0;
}

// Removes terminal escape sequences (colours, cursor moves) and backspaces, which progress bars
// mix into the text they print.
std::string strip_terminal_controls(std::string_view raw) {
  std::string clean;
  clean.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\b') continue;
    if (c != '\x1b') {
      clean.push_back(c);
      continue;
    }
    if (i + 1 < raw.size() && raw[i + 1] == '[') {
      // CSI: parameters and intermediates, then one final byte in @..~.
      i += 2;
      while (i < raw.size() && !(raw[i] >= '@' && raw[i] <= '~')) ++i;
    } else {
      ++i;  // a two-byte escape
    }
  }
  return clean;
}

// Keras: "- loss: 0.31 - accuracy: 0.90"; pieces that are not "name: number" ("12s 31ms/step")
// are skipped.
std::map<std::string, double> parse_dash_separated_metrics(std::string_view line) {
  std::map<std::string, double> metrics;
  size_t pos = 0;
  while ((pos = line.find("- ", pos)) != std::string_view::npos) {
    pos += 2;
    size_t next = line.find(" - ", pos);
    std::string_view piece = line.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
    size_t colon = piece.find(": ");
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string_view name = trim(piece.substr(0, colon));
    if (name.empty() || name.find(' ') != std::string_view::npos) continue;
    if (auto value = parse_number(piece.substr(colon + 2))) metrics[std::string(name)] = *value;
  }
  return metrics;
}

const char* const kNumberPattern = R"(([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|nan|inf))";

}  // namespace

// ---------------------------------------------------------------------------------------------
// Rules: one per way of printing epochs

class EpochLineRule {
 public:
  virtual ~EpochLineRule() = default;
  // `line` has no terminator, no escape sequences, and is not empty.
  virtual void on_line(std::string_view line, double at_s, std::vector<EpochEvent>& out) = 0;
  virtual void on_exit(double at_s, std::vector<EpochEvent>& out) = 0;
};

namespace {

// The epoch that is running, for rules where a header line begins each epoch and the next header
// (or the end of the process) ends it.
class OpenEpoch {
 public:
  void begin(int epoch, std::optional<int> total, double at_s, std::vector<EpochEvent>& out) {
    if (total) total_ = total;
    if (epoch_ == epoch) return;  // the same header redrawn
    end(at_s, out);
    epoch_ = epoch;
    metrics_.clear();
    metrics_final_ = false;
    out.push_back(EpochEvent{EpochEventKind::kBegin, epoch, total_, {}, at_s});
  }

  void end(double at_s, std::vector<EpochEvent>& out) {
    if (!epoch_) return;
    out.push_back(EpochEvent{EpochEventKind::kEnd, *epoch_, total_, std::move(metrics_), at_s});
    epoch_.reset();
    metrics_.clear();
  }

  bool is_open() const { return epoch_.has_value(); }

  // Later reports of the same metric replace earlier ones; `final` keeps them from changing
  // again (output after the epoch's summary, such as model.evaluate(), is not the epoch's).
  void report_metrics(const std::map<std::string, double>& metrics, bool final) {
    if (!epoch_ || metrics_final_) return;
    for (const auto& [name, value] : metrics) metrics_[name] = value;
    metrics_final_ = final;
  }

 private:
  std::optional<int> epoch_;
  std::optional<int> total_;
  std::map<std::string, double> metrics_;
  bool metrics_final_ = false;
};

class KerasRule final : public EpochLineRule {
 public:
  void on_line(std::string_view line, double at_s, std::vector<EpochEvent>& out) override {
    std::string_view text = trim(line);
    if (text.starts_with("Epoch ")) {
      std::string_view rest = text.substr(6);
      auto epoch = take_int(rest);
      if (!epoch || rest.empty() || rest.front() != '/') return;
      rest.remove_prefix(1);
      auto total = take_int(rest);
      if (total && trim(rest).empty()) epoch_.begin(*epoch, total, at_s, out);
      return;
    }
    // The progress bar: "375/375 [====] - 12s 31ms/step - loss: 0.31 - val_loss: 0.35". Only a
    // finished bar carries the epoch's figures; partial ones report running averages.
    if (!epoch_.is_open() || text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) return;
    auto counter = find_progress_counter(text.substr(0, text.find(' ')));
    if (!counter || counter->first != counter->second) return;
    auto metrics = parse_dash_separated_metrics(text);
    if (metrics.empty()) return;
    bool has_validation = false;
    for (const auto& entry : metrics) has_validation |= entry.first.starts_with("val_");
    epoch_.report_metrics(metrics, has_validation);
  }

  void on_exit(double at_s, std::vector<EpochEvent>& out) override { epoch_.end(at_s, out); }

 private:
  OpenEpoch epoch_;
};

class LightningRule final : public EpochLineRule {
 public:
  LightningRule()
      : metric_(std::string(R"(([A-Za-z_][A-Za-z0-9_./-]*)(?:=|: ))") + kNumberPattern,
                std::regex::ECMAScript | std::regex::optimize) {}

  void on_line(std::string_view line, double at_s, std::vector<EpochEvent>& out) override {
    // tqdm: "Epoch 3: 100%|####| 782/782 [00:45<00:00, 17.3it/s, v_num=0, loss=0.31]"
    // rich: "Epoch 3/49 ━━━━━━ 782/782 0:00:45 • 0:00:00 17.30it/s v_num: 0 loss: 0.31"
    std::string_view text = trim_left(line);
    if (!text.starts_with("Epoch ")) return;
    std::string_view rest = text.substr(6);
    auto printed_epoch = take_int(rest);
    if (!printed_epoch) return;
    std::optional<int> total;
    if (!rest.empty() && rest.front() == '/') {
      rest.remove_prefix(1);
      if (auto last_index = take_int(rest)) total = *last_index + 1;  // rich prints the last 0-based index
    }
    if (!rest.empty() && rest.front() != ':' && rest.front() != ' ') return;
    epoch_.begin(*printed_epoch + 1, total, at_s, out);
    if (!is_complete_progress(rest)) return;

    std::map<std::string, double> metrics;
    std::string after_counter(rest);
    for (auto it = std::sregex_iterator(after_counter.begin(), after_counter.end(), metric_);
         it != std::sregex_iterator(); ++it) {
      std::string name = (*it)[1].str();
      if (name == "v_num") continue;  // the logger's version, not a metric
      if (auto value = parse_number((*it)[2].str())) metrics[name] = *value;
    }
    // The bar is redrawn with validation metrics after validation, so keep merging.
    epoch_.report_metrics(metrics, false);
  }

  void on_exit(double at_s, std::vector<EpochEvent>& out) override { epoch_.end(at_s, out); }

 private:
  std::regex metric_;
  OpenEpoch epoch_;
};

// Hugging Face Trainer prints no line when an epoch begins. An evaluation logged at a whole epoch
// ends it, and training starts at the "Running training" banner (shown at info log level) or at
// its first progress bar. Epoch N+1 begins when N ended, but that is only known once later
// output shows training went on; otherwise N was the last epoch.
class HuggingFaceRule final : public EpochLineRule {
 public:
  HuggingFaceRule()
      : logged_number_(std::string(R"('([^'\\]+)': )") + kNumberPattern + R"((?=[,}]))",
                       std::regex::ECMAScript | std::regex::optimize) {}

  void on_line(std::string_view line, double at_s, std::vector<EpochEvent>& out) override {
    std::string_view text = trim(line);
    if (text.starts_with("{") && text.find("'epoch': ") != std::string_view::npos) {
      on_logged_dict(text, at_s, out);
    } else if (text.find("***** Running training *****") != std::string_view::npos) {
      begin_training(at_s, out);
    } else if (text.starts_with("Num Epochs = ")) {
      std::string_view rest = text.substr(13);
      std::string digits;
      for (char c : rest) {
        if (std::isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
        else if (c != ',') break;
      }
      std::string_view digits_view = digits;
      if (auto total = take_int(digits_view)) total_ = *total;
    } else if (is_training_progress_bar(text)) {
      begin_training(at_s, out);
    }
  }

  void on_exit(double at_s, std::vector<EpochEvent>& out) override {
    if (open_epoch_) out.push_back(EpochEvent{EpochEventKind::kEnd, *open_epoch_, total_, {}, at_s});
    open_epoch_.reset();
  }

 private:
  // The Trainer's bar has no description ("  3%|▎   | 45/1500 [...]"), unlike the dataset and
  // download bars printed before training ("Map: 100%|...").
  static bool is_training_progress_bar(std::string_view text) {
    std::string_view rest = text;
    if (!take_int(rest)) return false;
    return rest.starts_with("%|");
  }

  void begin_training(double at_s, std::vector<EpochEvent>& out) {
    if (training_started_) return;
    training_started_ = true;
    open_epoch_ = 1;
    out.push_back(EpochEvent{EpochEventKind::kBegin, 1, total_, {}, at_s});
  }

  void on_logged_dict(std::string_view text, double at_s, std::vector<EpochEvent>& out) {
    std::map<std::string, double> values;
    bool has_eval = false;
    std::string owned(text);
    for (auto it = std::sregex_iterator(owned.begin(), owned.end(), logged_number_); it != std::sregex_iterator();
         ++it) {
      std::string name = (*it)[1].str();
      if (auto value = parse_number((*it)[2].str())) values[name] = *value;
      has_eval |= name.starts_with("eval_");
    }
    auto epoch_value = values.find("epoch");
    if (epoch_value == values.end()) return;
    double epoch = epoch_value->second;
    values.erase(epoch_value);
    training_started_ = true;

    // Training went on past the last ended epoch: the next one began when that one ended.
    if (!open_epoch_ && last_ended_ && epoch > *last_ended_ + 1e-6) {
      open_epoch_ = *last_ended_ + 1;
      out.push_back(EpochEvent{EpochEventKind::kBegin, *open_epoch_, total_, {}, last_ended_at_s_});
    }

    const double whole = std::round(epoch);
    if (!has_eval || whole < 1 || std::abs(epoch - whole) > 0.005) return;  // mid-epoch log
    const int ended = static_cast<int>(whole);
    if (last_ended_ && ended <= *last_ended_) return;  // a later evaluate() of the same model
    // An epoch open under another number was evaluated only at some epochs: its end is unknown.
    out.push_back(EpochEvent{EpochEventKind::kEnd, ended, total_, std::move(values), at_s});
    open_epoch_.reset();
    last_ended_ = ended;
    last_ended_at_s_ = at_s;
  }

  std::regex logged_number_;
  std::optional<int> total_;
  bool training_started_ = false;
  std::optional<int> open_epoch_;
  std::optional<int> last_ended_;
  double last_ended_at_s_ = 0;
};

class CustomRule final : public EpochLineRule {
 public:
  CustomRule(std::regex pattern, bool zero_based) : pattern_(std::move(pattern)), zero_based_(zero_based) {}

  void on_line(std::string_view line, double at_s, std::vector<EpochEvent>& out) override {
    std::match_results<std::string_view::const_iterator> match;
    if (!std::regex_search(line.begin(), line.end(), match, pattern_)) return;
    auto group_int = [&match](size_t group) -> std::optional<int> {
      if (match.size() <= group || !match[group].matched) return std::nullopt;
      std::string digits = match[group].str();
      std::string_view text = trim(digits);
      auto value = take_int(text);
      return text.empty() ? value : std::nullopt;
    };
    auto epoch = group_int(1);
    if (!epoch) return;
    std::optional<int> total = group_int(2);
    if (total && zero_based_) *total += 1;
    epoch_.begin(*epoch + (zero_based_ ? 1 : 0), total, at_s, out);
  }

  void on_exit(double at_s, std::vector<EpochEvent>& out) override { epoch_.end(at_s, out); }

 private:
  std::regex pattern_;
  bool zero_based_;
  OpenEpoch epoch_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Presets

Result<EpochPreset> parse_epoch_preset(std::string_view name) {
  if (name == "keras") return EpochPreset::kKeras;
  if (name == "lightning") return EpochPreset::kLightning;
  if (name == "hf" || name == "huggingface") return EpochPreset::kHuggingFace;
  return Error{"unknown epoch pattern preset '" + std::string(name) + "' (expected keras, lightning or hf)"};
}

const char* epoch_preset_name(EpochPreset preset) {
  switch (preset) {
    case EpochPreset::kKeras: return "keras";
    case EpochPreset::kLightning: return "lightning";
    case EpochPreset::kHuggingFace: return "hf";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// Matcher

EpochPatternMatcher::EpochPatternMatcher(std::unique_ptr<EpochLineRule> rule) : rule_(std::move(rule)) {}
EpochPatternMatcher::EpochPatternMatcher(EpochPatternMatcher&&) noexcept = default;
EpochPatternMatcher& EpochPatternMatcher::operator=(EpochPatternMatcher&&) noexcept = default;
EpochPatternMatcher::~EpochPatternMatcher() = default;

EpochPatternMatcher EpochPatternMatcher::for_preset(EpochPreset preset) {
  switch (preset) {
    case EpochPreset::kKeras: return EpochPatternMatcher(std::make_unique<KerasRule>());
    case EpochPreset::kLightning: return EpochPatternMatcher(std::make_unique<LightningRule>());
    case EpochPreset::kHuggingFace: return EpochPatternMatcher(std::make_unique<HuggingFaceRule>());
  }
  return EpochPatternMatcher(std::make_unique<KerasRule>());
}

Result<EpochPatternMatcher> EpochPatternMatcher::for_custom(const CustomEpochPattern& pattern) {
  std::regex compiled;
  try {
    compiled = std::regex(pattern.regex, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& error) {
    return Error{"epoch pattern '" + pattern.regex + "' is not a valid regular expression: " + error.what()};
  }
  if (compiled.mark_count() < 1) {
    return Error{"epoch pattern '" + pattern.regex +
                 "' needs a capture group for the epoch number, e.g. 'epoch ([0-9]+)'"};
  }
  return EpochPatternMatcher(std::make_unique<CustomRule>(std::move(compiled), pattern.zero_based));
}

std::vector<EpochEvent> EpochPatternMatcher::feed(OutputStream stream, std::string_view bytes, double at_s) {
  std::vector<EpochEvent> events;
  std::string& partial = partial_line_[stream == OutputStream::kStdout ? 0 : 1];
  while (!bytes.empty()) {
    size_t end = bytes.find_first_of("\r\n");
    std::string_view piece = bytes.substr(0, end);
    // Bounded memory: a line longer than the limit keeps only its start.
    if (partial.size() < kMaxLineBytes) partial.append(piece.substr(0, kMaxLineBytes - partial.size()));
    if (end == std::string_view::npos) break;
    take_line(partial, at_s, events);
    bytes.remove_prefix(end + 1);
  }
  return events;
}

std::vector<EpochEvent> EpochPatternMatcher::finish(double at_s) {
  std::vector<EpochEvent> events;
  for (std::string& partial : partial_line_) take_line(partial, at_s, events);
  rule_->on_exit(at_s, events);
  return events;
}

void EpochPatternMatcher::take_line(std::string& line, double at_s, std::vector<EpochEvent>& events) {
  if (!line.empty()) {
    std::string clean = strip_terminal_controls(line);
    if (!clean.empty()) rule_->on_line(clean, at_s, events);
  }
  line.clear();
}

}  // namespace wattcast
