// What a newcomer trips on (issue 16): numbers, messages and tables as a person expects them.

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "test_paths.h"

namespace wattcast::testing {
namespace {

namespace fs = std::filesystem;

std::string fresh_store(const std::string& name) {
  const std::string path = (scratch_dir() / name).string();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
  return path;
}

std::string h200(const std::string& file) { return source_dir() + "/tests/fixtures/h200/" + file; }

// The three real H200 runs, tagged as an experiment would tag them.
std::string h200_store(const std::string& name) {
  const std::string store = fresh_store(name);
  const char* runs[] = {"resnet50", "hf", "lightning"};
  const char* batch[] = {"8", "16", "32"};
  for (int i = 0; i < 3; ++i) {
    auto imported = run_cli("store import " + h200(std::string(runs[i]) + "_samples.csv") + " --epochs " + h200(std::string(runs[i]) + "_epochs.csv") +
                            " --store " + store + " --tag batch_size=" + batch[i] + " --tag model=" + runs[i] + " --tag lr=0.0" + std::to_string(i + 1));
    EXPECT_EQ(imported.exit_code, 0) << imported.err;
  }
  return store;
}

// Three short measured runs (a replayed 100 W GPU), longer with the batch size.
std::string measured_store(const std::string& name) {
  const std::string store = fresh_store(name);
  const std::string trace = write_scratch("flat100.csv", "t_s,device,power_w\n0,gpu0,100\n");
  const char* batch[] = {"8", "16", "32"};
  for (int i = 0; i < 3; ++i) {
    auto measured = run_cli("measure --replay " + trace + " --out " + store + " --tag batch_size=" + batch[i] + " --tag lr=0.0" + std::to_string(i + 1) +
                            " --tag model=" + (i < 2 ? "a" : "b") + " -- sleep 0." + std::to_string(i + 1));
    EXPECT_EQ(measured.exit_code, 0) << measured.err;
  }
  return store;
}

bool has_exponent(const std::string& text) { return std::regex_search(text, std::regex(R"(\d[eE][+-]?\d)")); }

// Bad input: one line on stderr naming `fragment`, exit code 2, nothing on stdout.
void expect_one_line_error(const CliResult& result, const std::string& fragment) {
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(count_lines(result.err), 1) << result.err;
  EXPECT_NE(result.err.find(fragment), std::string::npos) << result.err;
  EXPECT_TRUE(result.out.empty()) << result.out;
}

const std::string kEstimate = "estimate --gpu 3090 --arch resnet50 --input-size 128 --val-samples 10203 --ram-gb 16 ";

TEST(NewcomerTest, TheSummaryLeadsWithEnergyCo2eAndDurationAndShowsTags) {
  const std::string store = h200_store("summary.db");
  auto shown = run_cli("show 1 --store " + store);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  const std::string first = shown.out.substr(0, shown.out.find('\n'));
  EXPECT_TRUE(std::regex_match(first, std::regex(R"(wattcast run 1: [0-9.]+ (J|kJ|MJ) \([0-9.]+ (Wh|kWh)\), [0-9.]+ (g|kg) CO2e, .+)"))) << first;
  EXPECT_NE(shown.out.find("tags: batch_size=8 lr=0.01 model=resnet50"), std::string::npos) << shown.out;
  EXPECT_FALSE(has_exponent(shown.out)) << shown.out;
  auto runs = run_cli("runs --store " + store);
  EXPECT_NE(runs.out.find("batch_size=16 lr=0.02 model=hf"), std::string::npos) << runs.out;
}

TEST(NewcomerTest, TablesLeftAlignTextAndFitTheTerminal) {
  const std::string store = h200_store("wide.db");
  for (const std::string& command : {std::string("regions"), "runs --store " + store}) {
    const auto result = run_cli(command);
    ::setenv("COLUMNS", "72", 1);
    const auto fitted = run_cli(command);
    ::unsetenv("COLUMNS");
    ASSERT_EQ(fitted.exit_code, 0) << fitted.err;
    std::istringstream lines(fitted.out);
    bool any_table = false;
    for (std::string line; std::getline(lines, line);) {
      if (line.find("---") != 0) continue;  // the table's rule: as wide as the table
      any_table = true;
      EXPECT_LE(line.size(), 72u) << command << "\n" << fitted.out;
    }
    EXPECT_TRUE(any_table) << command;
    EXPECT_GE(result.out.size(), fitted.out.size()) << "no terminal: the full text";
  }
  auto regions = run_cli("regions aws:us-east");
  EXPECT_NE(regions.out.find("--cloud aws:us-east-1  "), std::string::npos) << "text left-aligned\n" << regions.out;
}

TEST(NewcomerTest, RegionsShowThePueEstimateUsesAndTheWorldAverageIsNamed) {
  auto regions = run_cli("regions aws:us-east-1 --format json");
  ASSERT_EQ(regions.exit_code, 0) << regions.err;
  const auto listed = nlohmann::json::parse(regions.out);
  ASSERT_FALSE(listed.empty());
  auto estimated = run_cli(kEstimate + "--batch-size 32 --train-samples 23807 --epochs 30 --cloud aws:us-east-1 --format json");
  ASSERT_EQ(estimated.exit_code, 0) << estimated.err;
  EXPECT_EQ(listed[0]["pue"], nlohmann::json::parse(estimated.out)["pue"]);
  EXPECT_NE(run_cli("regions aws:us-east-1").out.find("(default)"), std::string::npos);
  auto world = run_cli(kEstimate + "--batch-size 32 --train-samples 23807 --epochs 30");
  EXPECT_NE(world.out.find("Grid: world average, 475 gCO2e/kWh"), std::string::npos) << world.out;
}

TEST(NewcomerTest, MessagesNameTheFlagAsTyped) {
  expect_one_line_error(run_cli(kEstimate + "--train-samples 23807 --epochs 30"), "--batch-size: is required");
  expect_one_line_error(run_cli("measure --budget-kj -1 -- true"), "--budget-kj: must be positive");
  expect_one_line_error(run_cli("estimate --gpu 3090 --gpu 3070"), "--gpu: given more than once");
  expect_one_line_error(run_cli("show 1 -- --frobnicate"), "unknown option '--frobnicate'");
  expect_one_line_error(run_cli("flops " + source_dir() + "/tests/fixtures/onnx/resnet50.onnx --input-size 0"), "--input-size: expected a whole number from 1 to");
  auto any = run_cli("frobnicate");
  EXPECT_EQ(any.exit_code, 2);
  for (const auto& result : {run_cli("estimate --gpu 3090 --gpu 3070"), run_cli("show 1 -- --frobnicate"), run_cli("compare --correlate x")}) {
    EXPECT_EQ(result.err.find("required but received"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("were not expected"), std::string::npos) << result.err;
  }
}

TEST(NewcomerTest, AFolderGivenAsAFileSaysSo) {
  const std::string folder = scratch_dir().string();
  expect_one_line_error(run_cli("estimate --config " + folder), folder + ": is a directory, not a file");
  expect_one_line_error(run_cli("estimate --batch " + folder), "is a directory, not a file");
  expect_one_line_error(run_cli(kEstimate + "--batch-size 32 --train-samples 10 --epochs 3 --model " + folder), "is a directory, not a file");
  expect_one_line_error(run_cli("evaluate --data " + folder), "is a directory, not a file");
  expect_one_line_error(run_cli(kEstimate + "--batch-size 32 --train-samples 10 --epochs 3 --out " + folder), "--out is a directory");
}

TEST(NewcomerTest, AMissingFolderInAnOutPathIsAnErrorAndIsNotCreated) {
  const fs::path missing = scratch_dir() / "no-such-folder";
  fs::remove_all(missing);
  const std::string target = (missing / "runs.db").string();
  auto measured = run_cli("measure --out " + target + " -- true");
  expect_one_line_error(measured, "no such folder '" + missing.string() + "'");
  EXPECT_FALSE(fs::exists(missing));
  expect_one_line_error(run_cli(kEstimate + "--batch-size 32 --train-samples 10 --epochs 3 --out " + target), "no such folder");
  EXPECT_FALSE(fs::exists(missing));
}

TEST(NewcomerTest, CountsAreWholeNumbersWithinBounds) {
  expect_one_line_error(run_cli(kEstimate + "--batch-size 32.7 --train-samples 23807 --epochs 30"), "--batch-size: expected a whole number, got '32.7'");
  expect_one_line_error(run_cli(kEstimate + "--batch-size 32 --train-samples 23807.5 --epochs 30"), "--train-samples: expected a whole number");
  expect_one_line_error(run_cli(kEstimate + "--batch-size 32 --train-samples 23807 --epochs 30.5"), "--epochs: expected a whole number");
  expect_one_line_error(run_cli(kEstimate + "--batch-size 32 --train-samples 23807 --epochs 1e300"), "--epochs: at most 1000000, got '1e300'");
  expect_one_line_error(run_cli("measure --epochs 0 -- true"), "--epochs: expected a whole number from 1 to 1000000, got '0'");
  expect_one_line_error(run_cli("project 1 --epochs -5"), "--epochs: expected a whole number from 1 to 1000000, got '-5'");
  std::string few_runs;
  std::istringstream reference(read_text(reference_runs_csv()));
  for (std::string line; count_lines(few_runs) < 11 && std::getline(reference, line);) few_runs += line + "\n";
  expect_one_line_error(run_cli("evaluate --cv rows --folds 100 --method flops --data " + write_scratch("ten_runs.csv", few_runs)),
                        "--folds 100: there are 10 runs");
}

TEST(NewcomerTest, FlopsWithAnInputOfTheWrongRankNamesTheInput) {
  auto result = run_cli("flops " + source_dir() + "/tests/fixtures/onnx/resnet50.onnx --input input=1x3x224");
  expect_one_line_error(result, "--input input: the model's input 'input' has 4 dimensions, the shape given has 3");
}

TEST(NewcomerTest, SegmentBoundsTheRegimesWithAReasonAndListsBoundariesInTimeOrder) {
  const std::string store = h200_store("segment.db");
  expect_one_line_error(run_cli("segment 1 --regimes 1000 --store " + store), "--regimes: expected a whole number from 2 to 100");
  auto too_many = run_cli("segment 1 --regimes 90 --store " + store);
  expect_one_line_error(too_many, "has room for at most");
  auto four = run_cli("segment 1 --regimes 4 --store " + store);
  ASSERT_EQ(four.exit_code, 0) << four.err;
  std::istringstream lines(four.out);
  double last = -1;
  bool in_table = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("---", 0) == 0) {
      in_table = true;
      continue;
    }
    if (!in_table || line.empty() || !std::isdigit(static_cast<unsigned char>(line[0]))) {
      in_table = false;
      continue;
    }
    std::smatch at;
    ASSERT_TRUE(std::regex_search(line, at, std::regex(R"(^\d+\s+(?:(\d+) min (\d+) s|([0-9.]+) s))"))) << line;
    const double seconds = at[3].matched ? std::stod(at[3]) : 60 * std::stod(at[1]) + std::stod(at[2]);
    EXPECT_GT(seconds, last) << four.out;
    last = seconds;
  }
  EXPECT_GT(last, 0) << four.out;
}

TEST(NewcomerTest, CompareCorrelatesNumericTagsAndWritesOneCsvTable) {
  const std::string store = measured_store("compare.db");
  auto correlated = run_cli("compare " + store + " --correlate batch_size energy_kj --format json");
  ASSERT_EQ(correlated.exit_code, 0) << correlated.err;
  EXPECT_EQ(nlohmann::json::parse(correlated.out)["correlation"]["n"], 3) << correlated.out;

  auto csv = run_cli("compare " + store + " --by model --metric energy_kj --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.find('#'), std::string::npos) << csv.out;
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')), "model,n,median,q1,q3,iqr,shapiro_w,shapiro_p");
  auto picked = run_cli("compare " + store + " --by model --metric energy_kj --format csv --table groups");
  EXPECT_EQ(picked.out, csv.out) << picked.err;
  expect_one_line_error(run_cli("compare " + store + " --by model --metric energy_kj --format csv --table dunn"), "--table: no table 'dunn' here");

  auto text = run_cli("compare " + store + " --by lr --metric energy_kj");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.find("Levene: Levene"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("Mann-Whitney U ("), std::string::npos) << "no test of 1 against 1\n" << text.out;
}

TEST(NewcomerTest, LongWorkShowsNoProgressWhenNotOnATerminal) {
  auto evaluated = run_cli("evaluate --cv rows --folds 3 --method wattcast,flops");
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.err;
  EXPECT_TRUE(evaluated.err.empty()) << evaluated.err;
  EXPECT_FALSE(has_exponent(evaluated.out)) << evaluated.out;
}

// On a terminal the live status line is cleared before the command's own output, whatever marks
// the epochs (here: nothing, as with the Python helper). The command prints after the first
// status line was drawn (about 1 s in).
TEST(NewcomerTest, TheLiveLineIsClearedBeforeTheCommandsOutput) {
  if (!fs::exists("/usr/bin/script")) GTEST_SKIP() << "needs script(1) for a terminal";
  const std::string store = fresh_store("live.db");
  const std::string child = write_scratch("late_print.py", "import time\nt = time.time()\nwhile time.time() - t < 1.6: pass\nprint('epoch 1: val_f1=0.6')\n");
  const std::string trace = write_scratch("flat200.csv", "t_s,device,power_w\n0,gpu0,200\n");
  // script(1) runs wattcast on a terminal of its own and copies what it shows to stdout.
  const auto result = run_shell("/usr/bin/script -qec \"" + std::string(WATTCAST_BIN) + " measure --replay " + trace + " --out " + store +
                                " -- python3 " + child + "\" /dev/null");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const size_t printed = result.out.find("epoch 1: val_f1=0.6");
  ASSERT_NE(printed, std::string::npos) << result.out;
  ASSERT_NE(result.out.find("[wattcast] "), std::string::npos) << "the live line was drawn\n" << result.out;
  const std::string before = result.out.substr(0, printed);
  EXPECT_TRUE(before.size() >= 4 && (before.substr(before.size() - 4) == "\r\033[K" || before.back() == '\n')) << result.out;
}

// Through the monitor the command still writes to a terminal (a pseudo-terminal the monitor
// relays), so progress bars, colours and Python's line buffering are as without wattcast; the
// bytes reach the real terminal once, without a second carriage return.
TEST(NewcomerTest, OnATerminalTheCommandStillSeesATerminal) {
  if (!fs::exists("/usr/bin/script")) GTEST_SKIP() << "needs script(1) for a terminal";
  const std::string store = fresh_store("tty.db");
  const std::string trace = write_scratch("flat150.csv", "t_s,device,power_w\n0,gpu0,150\n");
  const std::string child = write_scratch("which_tty.sh", "test -t 1 && echo stdout-is-a-terminal\ntest -t 2 && echo stderr-is-a-terminal >&2\nexit 3\n");
  const auto result = run_shell("/usr/bin/script -qec \"" + std::string(WATTCAST_BIN) + " measure --replay " + trace + " --out " + store +
                                " -- sh " + child + "\" /dev/null");
  EXPECT_EQ(result.exit_code, 3) << result.out;
  EXPECT_NE(result.out.find("stdout-is-a-terminal\r\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("stderr-is-a-terminal\r\n"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("\r\r"), std::string::npos) << result.out;
}

// Redirected, the command's output goes through pipes as before: nothing pretends to be a terminal.
TEST(NewcomerTest, RedirectedTheCommandSeesNoTerminal) {
  const std::string store = fresh_store("notty.db");
  const std::string trace = write_scratch("flat160.csv", "t_s,device,power_w\n0,gpu0,160\n");
  const std::string child = write_scratch("which_tty2.sh", "test -t 1 || echo stdout-is-not-a-terminal\n");
  const auto result = run_cli("measure --replay " + trace + " --out " + store + " --epoch-regex 'epoch (\\d+)' -- sh " + child);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("stdout-is-not-a-terminal"), std::string::npos) << result.out;
}

// An experiment says which sensors are missing once, not once per run.
TEST(NewcomerTest, AnExperimentSaysTheSensorNotesOnce) {
  const std::string store = fresh_store("notes.db");
  const std::string trace = write_scratch("flat300.csv", "t_s,device,power_w\n0,gpu0,300\n");
  const std::string plan = write_scratch("notes.toml", "name = \"notes\"\ncommand = \"true {x}\"\nrepetitions = 3\n[factors]\nx = [\"1\"]\n[measure]\nreplay = \"" + trace + "\"\n");
  const fs::path no_rapl = scratch_dir() / "no_rapl";
  fs::create_directories(no_rapl);
  ::setenv("WATTCAST_SYSFS_ROOT", no_rapl.c_str(), 1);
  auto ran = run_cli("experiment " + plan + " --out " + store);
  ::unsetenv("WATTCAST_SYSFS_ROOT");
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  const size_t first = ran.err.find("wattcast: CPU: RAPL");
  ASSERT_NE(first, std::string::npos) << ran.err;
  EXPECT_EQ(ran.err.find("wattcast: CPU: RAPL", first + 1), std::string::npos) << ran.err;
}

}  // namespace
}  // namespace wattcast::testing
