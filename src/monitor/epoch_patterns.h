#pragma once
// Epoch boundaries read from the training command's own output, so `wattcast measure` can split
// energy per epoch without any change to the training code. The monitor feeds whatever bytes the
// child wrote, in whatever chunks they arrived; patterns are matched only against complete lines.
// Progress bars (Keras, tqdm) redraw a line with '\r', so '\r' ends a line as '\n' does (tqdm
// writes '\r' before each redraw, so a redraw is read when the next one starts), and terminal
// colour codes and backspaces are removed before matching. Parsing a few MB/s of output costs
// well under 1% of a core (about 150-200 MB/s per matcher).

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wattcast {

enum class EpochEventKind { kBegin, kEnd };

struct EpochEvent {
  EpochEventKind kind = EpochEventKind::kBegin;
  int epoch = 0;  // 1-based, whatever the framework prints
  std::optional<int> total_epochs;
  std::map<std::string, double> metrics;  // ends only: the epoch's last reported metrics
  // When it happened, on the clock the caller passed to feed()/finish(). Usually the time the
  // line was read; a Hugging Face epoch begins when the previous one ended, which is only known
  // to be an epoch boundary once later output shows training went on.
  double at_s = 0;

  bool operator==(const EpochEvent&) const = default;
};

enum class OutputStream { kStdout, kStderr };

// How the epochs of one framework show in its output.
enum class EpochPreset {
  kKeras,      // "Epoch 3/50" begins epoch 3; the "375/375 [===] - ... - loss: 0.31" summary
  kLightning,  // "Epoch 2: 100%|###| 782/782 [..., loss=0.31]" (tqdm) or "Epoch 2/49 ..." (rich); 0-based
  kHuggingFace,  // "{'eval_loss': 0.41, ..., 'epoch': 2.0}" ends epoch 2
};

// "keras", "lightning", "hf" (also "huggingface"); the error lists the valid names.
Result<EpochPreset> parse_epoch_preset(std::string_view name);
const char* epoch_preset_name(EpochPreset preset);

// What a user-supplied pattern means: each line it matches begins an epoch, whose number is
// capture group 1 (and, when the pattern has one, the total is capture group 2).
struct CustomEpochPattern {
  std::string regex;  // ECMAScript syntax, searched anywhere in the line
  bool zero_based = false;  // the printed numbers start at 0
};

// Turns lines into begin/end events. Internal to epoch_patterns.cpp; one per preset.
class EpochLineRule;

class EpochPatternMatcher {
 public:
  static EpochPatternMatcher for_preset(EpochPreset preset);
  // Error when the regex does not compile or has no capture group.
  static Result<EpochPatternMatcher> for_custom(const CustomEpochPattern& pattern);

  EpochPatternMatcher(EpochPatternMatcher&&) noexcept;
  EpochPatternMatcher& operator=(EpochPatternMatcher&&) noexcept;
  ~EpochPatternMatcher();

  // Bytes the child wrote to one stream, read at `at_s`; returns the events they complete.
  // Each stream keeps its own partial line, so interleaved stdout and stderr do not mix.
  std::vector<EpochEvent> feed(OutputStream stream, std::string_view bytes, double at_s);
  // The child has exited: reads the unterminated last lines and ends the open epoch at `at_s`.
  std::vector<EpochEvent> finish(double at_s);

  // Longer lines are cut to this before matching: epoch markers sit at the start of a line, and
  // the standard regex engine recurses per character, so unbounded lines could exhaust the stack.
  static constexpr size_t kMaxLineBytes = 4096;

 private:
  explicit EpochPatternMatcher(std::unique_ptr<EpochLineRule> rule);
  void take_line(std::string& line, double at_s, std::vector<EpochEvent>& events);

  std::unique_ptr<EpochLineRule> rule_;
  std::string partial_line_[2];  // indexed by OutputStream
};

}  // namespace wattcast
