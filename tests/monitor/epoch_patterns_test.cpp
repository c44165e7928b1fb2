#include "monitor/epoch_patterns.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace wattcast {
namespace {

using Kind = EpochEventKind;

// Feeds `text` in chunks of `chunk_bytes`, the i-th chunk at time i, so tests see which chunk
// completed the line behind each event.
std::vector<EpochEvent> feed_in_chunks(EpochPatternMatcher& matcher, OutputStream stream, const std::string& text,
                                       size_t chunk_bytes, double first_at_s = 0) {
  std::vector<EpochEvent> events;
  double at_s = first_at_s;
  for (size_t start = 0; start < text.size(); start += chunk_bytes, at_s += 1) {
    auto more = matcher.feed(stream, std::string_view(text).substr(start, chunk_bytes), at_s);
    events.insert(events.end(), more.begin(), more.end());
  }
  return events;
}

void append(std::vector<EpochEvent>& to, const std::vector<EpochEvent>& more) { to.insert(to.end(), more.begin(), more.end()); }

// ---- Keras ------------------------------------------------------------------------------------

// TF 2.x Keras with its output piped (no terminal): one summary line per epoch.
const char* const kKeras2Piped =
    "2024-05-02 10:11:12.123456: I tensorflow/core/platform/cpu_feature_guard.cc:182] This TensorFlow binary is optimized\n"
    "Epoch 1/3\n"
    "375/375 [==============================] - 13s 31ms/step - loss: 0.5123 - accuracy: 0.8210 - val_loss: 0.3912 - val_accuracy: 0.8590\n"
    "Epoch 2/3\n"
    "375/375 [==============================] - 11s 29ms/step - loss: 0.3650 - accuracy: 0.8702 - val_loss: 0.3551 - val_accuracy: 0.8711\n"
    "Epoch 3/3\n"
    "375/375 [==============================] - 11s 29ms/step - loss: 0.3301 - accuracy: 0.8815 - val_loss: 0.3490 - val_accuracy: 0.8744\n"
    "79/79 [==============================] - 1s 9ms/step - loss: 0.3702 - accuracy: 0.8672\n"
    "test accuracy 0.8672\n";

TEST(EpochPatternsKerasTest, PipedOutputGivesEpochsWithTheirSummaryMetrics) {
  auto matcher = EpochPatternMatcher::for_preset(EpochPreset::kKeras);
  auto events = feed_in_chunks(matcher, OutputStream::kStdout, kKeras2Piped, 7);
  append(events, matcher.finish(1000));

  ASSERT_EQ(events.size(), 6u);
  for (int epoch = 1; epoch <= 3; ++epoch) {
    const EpochEvent& begin = events[2 * (epoch - 1)];
    const EpochEvent& end = events[2 * (epoch - 1) + 1];
    EXPECT_EQ(begin.kind, Kind::kBegin);
    EXPECT_EQ(begin.epoch, epoch);
    EXPECT_EQ(begin.total_epochs, 3);
    EXPECT_TRUE(begin.metrics.empty());
    EXPECT_EQ(end.kind, Kind::kEnd);
    EXPECT_EQ(end.epoch, epoch);
  }
  EXPECT_EQ(events[1].metrics, (std::map<std::string, double>{
                                   {"loss", 0.5123}, {"accuracy", 0.8210}, {"val_loss", 0.3912}, {"val_accuracy", 0.8590}}));
  // The model.evaluate() bar after fit is not the last epoch's summary.
  EXPECT_DOUBLE_EQ(events[5].metrics.at("loss"), 0.3301);
  EXPECT_DOUBLE_EQ(events[5].metrics.at("val_accuracy"), 0.8744);
  // Epoch 1 ends when epoch 2's header is read; the last epoch ends when the process does.
  EXPECT_EQ(events[1].at_s, events[2].at_s);
  EXPECT_EQ(events[5].at_s, 1000);
}

TEST(EpochPatternsKerasTest, HeaderTimeIsWhenItsLineCompletes) {
  auto matcher = EpochPatternMatcher::for_preset(EpochPreset::kKeras);
  EXPECT_TRUE(matcher.feed(OutputStream::kStdout, "Epoch 1", 10).empty());
  EXPECT_TRUE(matcher.feed(OutputStream::kStdout, "/20", 11).empty());
  auto events = matcher.feed(OutputStream::kStdout, "\n", 12);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], (EpochEvent{Kind::kBegin, 1, 20, {}, 12}));
}

// TF 2.x Keras on a terminal: the bar is redrawn with backspaces and '\r'; running averages
// during the epoch, the epoch's figures on the finished bar.
TEST(EpochPatternsKerasTest, TerminalProgressBarUsesOnlyTheFinishedBar) {
  std::string backspaces(90, '\b');
  std::string output = "Epoch 1/2\n";
  output += "  1/375 [..............................] - ETA: 5:12 - loss: 2.3026 - accuracy: 0.0938" + backspaces + "\r";
  output += "188/375 [==============>...............] - ETA: 5s - loss: 0.7012 - accuracy: 0.7551" + backspaces + "\r";
  output += "375/375 [==============================] - ETA: 0s - loss: 0.5201 - accuracy: 0.8190" + backspaces + "\r";
  output += "375/375 [==============================] - 12s 31ms/step - loss: 0.5123 - accuracy: 0.8210 - val_loss: 0.3912 - val_accuracy: 0.8590\n";
  output += "Epoch 2/2\n";
  output += "375/375 [==============================] - 11s 29ms/step - loss: 0.3650 - accuracy: 0.8702\n";

  auto matcher = EpochPatternMatcher::for_preset(EpochPreset::kKeras);
  auto events = feed_in_chunks(matcher, OutputStream::kStdout, output, 64);
  append(events, matcher.finish(99));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].metrics, (std::map<std::string, double>{
                                   {"loss", 0.5123}, {"accuracy", 0.8210}, {"val_loss", 0.3912}, {"val_accuracy", 0.8590}}));
  EXPECT_EQ(events[3].metrics, (std::map<std::string, double>{{"loss", 0.3650}, {"accuracy", 0.8702}}));
}

// Keras 3 colours its bar; verbose=2 prints a terse line. Both carry the same figures.
TEST(EpochPatternsKerasTest, Keras3ColouredAndTerseLines) {
  const std::string output =
      "Epoch 1/2\n"
      "\x1b[1m375/375\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m12s\x1b[0m 31ms/step - accuracy: 0.8210 - "
      "loss: 0.5123 - val_accuracy: 0.8590 - val_loss: 0.3912\n"
      "Epoch 2/2\n"
      "375/375 - 11s - 29ms/step - accuracy: 0.8702 - loss: nan - val_accuracy: 0.8711 - val_loss: 0.3551\n";
  auto matcher = EpochPatternMatcher::for_preset(EpochPreset::kKeras);
  auto events = matcher.feed(OutputStream::kStdout, output, 5);
  append(events, matcher.finish(6));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].metrics, (std::map<std::string, double>{
                                   {"accuracy", 0.8210}, {"loss", 0.5123}, {"val_accuracy", 0.8590}, {"val_loss", 0.3912}}));
  EXPECT_TRUE(std::isnan(events[3].metrics.at("loss")));
  EXPECT_DOUBLE_EQ(events[3].metrics.at("val_loss"), 0.3551);
}

TEST(EpochPatternsKerasTest, StdoutAndStderrKeepTheirOwnPartialLines) {
  auto matcher = EpochPatternMatcher::for_preset(EpochPreset::kKeras);
  std::vector<EpochEvent> events;
  append(events, matcher.feed(OutputStream::kStdout, "Epoch 4/", 1));
  append(events, matcher.feed(OutputStream::kStderr, "W0502 10:11:12 some warning\nEpoch 9", 2));
  append(events, matcher.feed(OutputStream::kStdout, "10\n", 3));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], (EpochEvent{Kind::kBegin, 4, 10, {}, 3}));
}

TEST(EpochPatternsKerasTest, NoEpochsWithoutHeaders) {
  auto matcher = EpochPatternMatcher::for_preset(EpochPreset::kKeras);
  EXPECT_TRUE(matcher.feed(OutputStream::kStdout, "375/375 [====] - 1s - loss: 0.3\nEpoch of doom\nEpoch 3/x\n", 1).empty());
  EXPECT_TRUE(matcher.finish(2).empty());
}

TEST(EpochPatternsKerasTest, AVeryLongLineIsCutAndMatchingGoesOn) {
  auto matcher = EpochPatternMatcher::for_preset(EpochPreset::kKeras);
  std::string flood(1 << 20, 'x');
  EXPECT_TRUE(matcher.feed(OutputStream::kStdout, "Epoch 1/2\n" + flood, 1).size() == 1u);
  EXPECT_TRUE(matcher.feed(OutputStream::kStdout, flood, 2).empty());
  auto events = matcher.feed(OutputStream::kStdout, "\nEpoch 2/2\n", 3);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kEnd);
  EXPECT_EQ(events[1].epoch, 2);
}

TEST(EpochPatternsKerasTest, UnterminatedLastLineIsReadAtExit) {
  auto matcher = EpochPatternMatcher::for_preset(EpochPreset::kKeras);
  EXPECT_EQ(matcher.feed(OutputStream::kStdout, "Epoch 1/1\n375/375 - 1s - loss: 0.25 - val_loss: 0.5", 1).size(), 1u);
  auto events = matcher.finish(2);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], (EpochEvent{Kind::kEnd, 1, 1, {{"loss", 0.25}, {"val_loss", 0.5}}, 2}));
}

// ---- PyTorch Lightning ------------------------------------------------------------------------

// Lightning 2.x with the default tqdm bar, stderr piped: every redraw starts with '\r', the
// validation bar sits on the line below (cursor-up escapes), and the main bar is redrawn with the
// validation metrics once validation is done. Epochs are printed from 0.
std::string lightning_tqdm_output() {
  std::string out;
  out += "\rSanity Checking: |          | 0/? [00:00<?, ?it/s]";
  out += "\rSanity Checking DataLoader 0: 100%|██████████| 2/2 [00:00<00:00, 35.12it/s]";
  out += "\r                                                                           ";
  out += "\rTraining: |          | 0/? [00:00<?, ?it/s]";
  for (int epoch = 0; epoch < 3; ++epoch) {
    const std::string e = std::to_string(epoch);
    const std::string loss = epoch == 0 ? "0.912" : epoch == 1 ? "0.633" : "0.518";
    const std::string val = epoch == 0 ? "val_loss=0.871, val_acc=0.702" : epoch == 1 ? "val_loss=0.652, val_acc=0.771"
                                                                                       : "val_loss=0.601, val_acc=0.790";
    out += "\rEpoch " + e + ":   0%|          | 0/782 [00:00<?, ?it/s]";
    out += "\rEpoch " + e + ":  10%|█         | 78/782 [00:04<00:40, 17.41it/s, v_num=0, train_loss=1.92]";
    out += "\rEpoch " + e + ": 100%|██████████| 782/782 [00:45<00:00, 17.30it/s, v_num=0, train_loss=" + loss + "]";
    out += "\n\rValidation: |          | 0/? [00:00<?, ?it/s]\x1b[A";
    out += "\n\rValidation DataLoader 0:  50%|█████     | 79/157 [00:01<00:01, 45.10it/s]\x1b[A";
    out += "\n\rValidation DataLoader 0: 100%|██████████| 157/157 [00:03<00:00, 45.12it/s]\x1b[A";
    out += "\n\r                                                                          \x1b[A";
    out += "\rEpoch " + e + ": 100%|██████████| 782/782 [00:49<00:00, 15.90it/s, v_num=0, train_loss=" + loss + ", " + val + "]";
  }
  out += "\n`Trainer.fit` stopped: `max_epochs=3` reached.\n";
  return out;
}

TEST(EpochPatternsLightningTest, TqdmBarGivesOneBasedEpochsWithValidationMetrics) {
  auto matcher = EpochPatternMatcher::for_preset(EpochPreset::kLightning);
  auto events = feed_in_chunks(matcher, OutputStream::kStderr, lightning_tqdm_output(), 100);
  append(events, matcher.finish(5000));

  ASSERT_EQ(events.size(), 6u);
  for (int epoch = 1; epoch <= 3; ++epoch) {
    EXPECT_EQ(events[2 * (epoch - 1)].kind, Kind::kBegin);
    EXPECT_EQ(events[2 * (epoch - 1)].epoch, epoch);
    EXPECT_EQ(events[2 * (epoch - 1) + 1].kind, Kind::kEnd);
    EXPECT_EQ(events[2 * (epoch - 1) + 1].epoch, epoch);
    EXPECT_FALSE(events[2 * (epoch - 1)].total_epochs.has_value());
  }
  EXPECT_EQ(events[1].metrics,
            (std::map<std::string, double>{{"train_loss", 0.912}, {"val_loss", 0.871}, {"val_acc", 0.702}}));
  EXPECT_EQ(events[5].metrics,
            (std::map<std::string, double>{{"train_loss", 0.518}, {"val_loss", 0.601}, {"val_acc", 0.790}}));
  EXPECT_EQ(events[5].at_s, 5000);
}

TEST(EpochPatternsLightningTest, RichBarGivesTheTotal) {
  const std::string output =
      "Epoch 0/1  ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 782/782 0:00:45 • 0:00:00 17.30it/s v_num: 0 train_loss: 0.912 val_loss: 0.871\n"
      "Epoch 1/1  ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 391/782 0:00:22 • 0:00:23 17.30it/s v_num: 0 train_loss: 0.700\n"
      "Epoch 1/1  ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 782/782 0:00:45 • 0:00:00 17.30it/s v_num: 0 train_loss: 0.633 val_loss: 0.652\n";
  auto matcher = EpochPatternMatcher::for_preset(EpochPreset::kLightning);
  auto events = matcher.feed(OutputStream::kStdout, output, 1);
  append(events, matcher.finish(2));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0], (EpochEvent{Kind::kBegin, 1, 2, {}, 1}));
  EXPECT_EQ(events[1], (EpochEvent{Kind::kEnd, 1, 2, {{"train_loss", 0.912}, {"val_loss", 0.871}}, 1}));
  EXPECT_EQ(events[3], (EpochEvent{Kind::kEnd, 2, 2, {{"train_loss", 0.633}, {"val_loss", 0.652}}, 2}));
}

// ---- Hugging Face Trainer ---------------------------------------------------------------------

// Trainer at the default log level: the bar on stderr, logged dicts on stdout (tqdm.write). One
// evaluation per epoch; the last dict is the training summary.
struct TimedChunk {
  OutputStream stream;
  std::string text;
};

std::vector<TimedChunk> hugging_face_run() {
  const auto err = OutputStream::kStderr;
  const auto out = OutputStream::kStdout;
  return {
      {err, "\rMap: 100%|██████████| 25000/25000 [00:02<00:00, 9871.23 examples/s]\n"},  // t=0: dataset prep
      {err, "\r  0%|          | 0/1500 [00:00<?, ?it/s]"},                                  // t=1: training starts, seen at t=2
      {err, "\r 20%|██        | 300/1500 [00:30<02:00,  9.98it/s]"},                       // t=2
      {out, "{'loss': 0.6931, 'grad_norm': 2.345, 'learning_rate': 4.5e-05, 'epoch': 0.33}\n"},
      {err, "\n\r  0%|          | 0/79 [00:00<?, ?it/s]\x1b[A\r100%|██████████| 79/79 [00:03<00:00, 24.1it/s]\x1b[A"},
      {out, "{'eval_loss': 0.4123, 'eval_accuracy': 0.871, 'eval_runtime': 3.2871, 'eval_samples_per_second': 304.2, "
            "'eval_steps_per_second': 24.03, 'epoch': 1.0}\n"},  // t=5: epoch 1 ends
      {err, "\r 34%|███▍      | 510/1500 [00:54<01:40,  9.90it/s]"},
      {out, "{'loss': 0.4012, 'grad_norm': 1.9, 'learning_rate': 3.3e-05, 'epoch': 1.33}\n"},  // t=7: epoch 2 went on
      {out, "{'eval_loss': 0.3551, 'eval_accuracy': 0.8902, 'eval_runtime': 3.1, 'epoch': 2.0}\n"},  // t=8
      {out, "{'eval_loss': 0.3490, 'eval_accuracy': 0.8944, 'eval_runtime': 3.0, 'epoch': 3.0}\n"},  // t=9: no mid log
      {err, "\r100%|██████████| 1500/1500 [02:31<00:00,  9.91it/s]"},
      {out, "{'train_runtime': 151.2, 'train_samples_per_second': 496.0, 'train_steps_per_second': 9.92, "
            "'train_loss': 0.4512, 'epoch': 3.0}\n"},
      {out, "{'eval_loss': 0.3490, 'eval_accuracy': 0.8944, 'eval_runtime': 3.0, 'epoch': 3.0}\n"},  // trainer.evaluate()
  };
}

TEST(EpochPatternsHuggingFaceTest, EvaluationsAtWholeEpochsEndEpochs) {
  auto matcher = EpochPatternMatcher::for_preset(EpochPreset::kHuggingFace);
  std::vector<EpochEvent> events;
  double at_s = 0;
  for (const auto& chunk : hugging_face_run()) append(events, matcher.feed(chunk.stream, chunk.text, at_s++));
  append(events, matcher.finish(100));

  const std::vector<EpochEvent> expected = {
      // tqdm starts each redraw with '\r', so a redraw is complete when the next one starts.
      {Kind::kBegin, 1, std::nullopt, {}, 2},
      {Kind::kEnd, 1, std::nullopt,
       {{"eval_loss", 0.4123}, {"eval_accuracy", 0.871}, {"eval_runtime", 3.2871}, {"eval_samples_per_second", 304.2},
        {"eval_steps_per_second", 24.03}},
       5},
      {Kind::kBegin, 2, std::nullopt, {}, 5},  // began when epoch 1 ended
      {Kind::kEnd, 2, std::nullopt, {{"eval_loss", 0.3551}, {"eval_accuracy", 0.8902}, {"eval_runtime", 3.1}}, 8},
      {Kind::kBegin, 3, std::nullopt, {}, 8},
      {Kind::kEnd, 3, std::nullopt, {{"eval_loss", 0.3490}, {"eval_accuracy", 0.8944}, {"eval_runtime", 3.0}}, 9},
  };
  EXPECT_EQ(events, expected);
}

TEST(EpochPatternsHuggingFaceTest, BannerBeginsTrainingAndGivesTheTotal) {
  const std::string log =
      "***** Running training *****\n"
      "  Num examples = 25,000\n"
      "  Num Epochs = 2\n"
      "  Instantaneous batch size per device = 16\n"
      "  Total optimization steps = 3,126\n"
      "\r  0%|          | 0/3126 [00:00<?, ?it/s]"
      "\r                                          \r"  // tqdm.write() clears the bar first
      "{'eval_loss': 0.41, 'eval_accuracy': 0.87, 'epoch': 1.0}\n"
      "{'loss': 0.3, 'learning_rate': 1e-05, 'epoch': 1.5}\n";
  auto matcher = EpochPatternMatcher::for_preset(EpochPreset::kHuggingFace);
  auto events = matcher.feed(OutputStream::kStdout, log, 1);
  append(events, matcher.finish(2));
  const std::vector<EpochEvent> expected = {
      {Kind::kBegin, 1, std::nullopt, {}, 1},  // the banner comes before the total
      {Kind::kEnd, 1, 2, {{"eval_loss", 0.41}, {"eval_accuracy", 0.87}}, 1},
      {Kind::kBegin, 2, 2, {}, 1},
      {Kind::kEnd, 2, 2, {}, 2},  // ended by the process, not by an evaluation
  };
  EXPECT_EQ(events, expected);
}

TEST(EpochPatternsHuggingFaceTest, MidEpochLogsAndStepEvaluationsAreNotBoundaries) {
  auto matcher = EpochPatternMatcher::for_preset(EpochPreset::kHuggingFace);
  auto events = matcher.feed(OutputStream::kStdout,
                             "{'loss': 0.5, 'epoch': 0.5}\n"
                             "{'eval_loss': 0.45, 'epoch': 0.64}\n"
                             "{'loss': 0.4, 'epoch': 1.0}\n",
                             1);
  EXPECT_TRUE(events.empty());
}

// ---- Custom patterns --------------------------------------------------------------------------

TEST(EpochPatternsCustomTest, EachMatchBeginsTheEpochInGroupOne) {
  auto matcher = EpochPatternMatcher::for_custom({R"(^=== epoch (\d+) of (\d+) ===)", false});
  ASSERT_TRUE(matcher.ok()) << matcher.error().message;
  auto events = matcher->feed(OutputStream::kStdout,
                              "loading data\n=== epoch 1 of 2 ===\nstep 10 loss 0.3\n=== epoch 2 of 2 ===\n", 1);
  append(events, matcher->finish(2));
  const std::vector<EpochEvent> expected = {
      {Kind::kBegin, 1, 2, {}, 1}, {Kind::kEnd, 1, 2, {}, 1}, {Kind::kBegin, 2, 2, {}, 1}, {Kind::kEnd, 2, 2, {}, 2}};
  EXPECT_EQ(events, expected);
}

TEST(EpochPatternsCustomTest, ZeroBasedNumbersAndProgressRedraws) {
  auto matcher = EpochPatternMatcher::for_custom({R"(ep=(\d+))", true});
  ASSERT_TRUE(matcher.ok());
  auto events = matcher->feed(OutputStream::kStderr, "\rep=0 10%\rep=0 90%\rep=1 5%\r", 1);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].epoch, 1);
  EXPECT_EQ(events[2].epoch, 2);
}

TEST(EpochPatternsCustomTest, BadPatternsAreErrorsThatSayWhy) {
  auto invalid = EpochPatternMatcher::for_custom({"epoch (\\d+", false});
  ASSERT_FALSE(invalid.ok());
  EXPECT_NE(invalid.error().message.find("not a valid regular expression"), std::string::npos);
  auto no_group = EpochPatternMatcher::for_custom({"epoch \\d+", false});
  ASSERT_FALSE(no_group.ok());
  EXPECT_NE(no_group.error().message.find("capture group"), std::string::npos);
}

TEST(EpochPatternsPresetTest, NamesRoundTrip) {
  for (auto preset : {EpochPreset::kKeras, EpochPreset::kLightning, EpochPreset::kHuggingFace}) {
    auto parsed = parse_epoch_preset(epoch_preset_name(preset));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, preset);
  }
  EXPECT_EQ(*parse_epoch_preset("huggingface"), EpochPreset::kHuggingFace);
  auto unknown = parse_epoch_preset("fastai");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("keras, lightning or hf"), std::string::npos);
}

}  // namespace
}  // namespace wattcast
