// Every command README.md shows, run as a newcomer would run it (on the embedded data and small
// generated inputs): text output never shows a number in scientific notation, and a command that
// fails says so in one line with exit code 2. A command added to the README is tested here.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "cli/cli_runner.h"
#include "test_paths.h"

namespace wattcast::testing {
namespace {

namespace fs = std::filesystem;

struct ReadmeCommand {
  int line = 0;
  std::string text;  // after "build/wattcast ", comments and line continuations removed
};

// The `build/wattcast ...` lines of README.md's ```sh blocks.
std::vector<ReadmeCommand> readme_commands() {
  std::ifstream in(source_dir() + "/README.md");
  std::vector<ReadmeCommand> commands;
  bool in_block = false;
  int number = 0;
  std::string pending;
  int pending_line = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.rfind("```", 0) == 0) {
      in_block = line == "```sh";
      continue;
    }
    if (!in_block) continue;
    const std::string trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (pending.empty() && trimmed.rfind("build/wattcast ", 0) != 0) continue;
    if (pending.empty()) pending_line = number;
    std::string part = trimmed;
    if (const size_t comment = part.find("  #"); comment != std::string::npos) part = part.substr(0, comment);
    while (!part.empty() && part.back() == ' ') part.pop_back();
    const bool continued = !part.empty() && part.back() == '\\';
    if (continued) part.pop_back();
    pending += part;
    if (continued) continue;
    commands.push_back({pending_line, pending.substr(std::string("build/wattcast ").size())});
    pending.clear();
  }
  return commands;
}

// Why a command is not run here; empty when it is.
std::string why_not_run(const std::string& command) {
  if (command.find("postgresql://") != std::string::npos) return "needs a PostgreSQL server (tests/store runs one)";
  if (command.rfind("exporter", 0) == 0) return "serves until stopped (tests/export)";
  if (command.find("--prometheus") != std::string::npos) return "binds a fixed port (tests/export)";
  return "";
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
}

// The README's placeholders, made real and small.
std::string adapted(std::string command) {
  const std::string training = " --train-samples 23807 --val-samples 10203 --epochs 30 --ram-gb 16";
  if (command.rfind("estimate ... ", 0) == 0) command = "estimate --gpu 3090 --arch resnet50 --input-size 128 --batch-size 32" + training + command.substr(12);
  replace_all(command, "--batch-size 32 ...", "--batch-size 32" + training);
  replace_all(command, "python train", "python3 train");
  replace_all(command, "/shared/runs.db", "runs.db");
  replace_all(command, "--data all", "--data three_gpus.csv");
  replace_all(command, "--synthetic 200", "--synthetic 6");
  return command;
}

std::string rows_of(const std::string& csv, size_t every, size_t most) {
  std::istringstream in(csv);
  std::string header, out, line;
  std::getline(in, header);
  out = header + "\n";
  size_t index = 0, kept = 0;
  while (std::getline(in, line) && kept < most) {
    if (index++ % every == 0) {
      out += line + "\n";
      ++kept;
    }
  }
  return out;
}

// A folder with what the README's commands name: a training script, a config, runs CSVs, a
// model, an exported run, a plan, and a default store holding five finished runs.
fs::path workspace() {
  const fs::path dir = scratch_dir() / "readme";
  fs::remove_all(dir);
  fs::create_directories(dir / "xdg" / "wattcast");
  auto write = [&](const std::string& name, const std::string& content) { std::ofstream(dir / name) << content; };
  const std::string train =
      "import sys, time, wattcast\n"
      "for e in range(1, 4):\n"
      "    wattcast.epoch_begin()\n"
      "    print(f'Epoch {e}/3', flush=True)\n"
      "    t = time.time()\n"
      "    while time.time() - t < 0.05: pass\n"
      "    f1 = 0.5 + e / 10 + len(sys.argv) / 100\n"
      "    print(f'10/10 [====] - 1s 10ms/step - loss: 0.50 - val_accuracy: {f1:.2f}', flush=True)\n"
      "    wattcast.epoch_end(metrics={'val_f1': f1})\n";
  write("train.py", train);
  write("train_keras.py", train);
  write("run.toml", "gpu = \"3090\"\narch = \"resnet50\"\ninput_size = 128\nbatch_size = 32\ntrain_samples = 23807\nval_samples = 10203\n"
                    "epochs = 30\nram_gb = 16\nregion = \"ESP\"\n");
  const std::string reference = read_text(reference_runs_csv());
  write("runs.csv", rows_of(reference, 1, 12));
  write("my_runs.csv", rows_of(reference, 7, 60));
  write("three_gpus.csv", rows_of(reference, 23, 40));
  fs::copy_file(source_dir() + "/tests/fixtures/onnx/mobilenet_v2.onnx", dir / "model.onnx");
  const std::string h200 = source_dir() + "/tests/fixtures/h200/";
  fs::copy_file(h200 + "resnet50_samples.csv", dir / "samples.csv");
  fs::copy_file(h200 + "resnet50_epochs.csv", dir / "epochs.csv");
  write("plan.toml", "name = \"batch\"\ncommand = \"python3 train.py {batch_size}\"\nrepetitions = 2\nseed = 1\nepochs = 3\ntrain_samples = 1000\n"
                     "[factors]\nbatch_size = [\"8\", \"16\"]\n");
  const std::string store = (dir / "xdg" / "wattcast" / "runs.db").string();
  const char* runs[] = {"hf", "lightning", "resnet50", "resnet50", "hf"};
  for (int i = 0; i < 5; ++i) {
    auto imported = run_cli("store import " + h200 + runs[i] + "_samples.csv --epochs " + h200 + runs[i] + "_epochs.csv --store " + store +
                            " --tag optimizer=" + (i % 2 ? "sgd" : "adam"));
    EXPECT_EQ(imported.exit_code, 0) << imported.err;
  }
  auto job = run_cli("measure --job slurm:1234.0 --out " + (dir / "runs.db").string() + " -- true");
  EXPECT_EQ(job.exit_code, 0) << job.err;
  return dir;
}

// In the folder, with its own default store, as a user would type it there.
CliResult run_in(const fs::path& dir, const std::string& args) {
  return run_shell("cd " + dir.string() + " && env XDG_DATA_HOME=" + (dir / "xdg").string() + " PYTHONPATH=" + source_dir() + "/python " +
                   WATTCAST_BIN + " " + args);
}

// fmt and printf write an exponent with its sign: 1e-05, 1.01e+298.
bool has_scientific_notation(const std::string& text) { return std::regex_search(text, std::regex(R"((^|[^0-9A-Za-z_])[0-9]+(\.[0-9]+)?[eE][+-][0-9]+)")); }

bool machine_format(const std::string& command) {
  return std::regex_search(command, std::regex(R"(--format (json|jsonl|csv))")) || command.find("--batch ") != std::string::npos;
}

// README commands expected to stop with a one-line error, and why.
const std::map<std::string, std::string> kExpectedErrors = {
    {"flops model.onnx --input ids=1x128 --format json --convention torchvision", "a text model's input; model.onnx here is an image model"},
};

TEST(ReadmeCommandsTest, EveryCommandReadsPlainlyOrFailsInOneLine) {
  const auto commands = readme_commands();
  ASSERT_GT(commands.size(), 40u) << "README.md's commands were not found";
  const fs::path dir = workspace();
  int ran = 0;
  for (const auto& c : commands) {
    if (!why_not_run(c.text).empty()) continue;
    const std::string command = adapted(c.text);
    SCOPED_TRACE("README.md:" + std::to_string(c.line) + ": wattcast " + command);
    const CliResult result = run_in(dir, command);
    ++ran;
    const bool expected_error = kExpectedErrors.count(c.text) > 0;
    if (result.exit_code != 0 || expected_error) {
      EXPECT_TRUE(expected_error) << "exit " << result.exit_code << ": " << result.err;
      EXPECT_EQ(result.exit_code, 2) << result.err;
      EXPECT_EQ(count_lines(result.err), 1) << result.err;
      continue;
    }
    if (!machine_format(command)) EXPECT_FALSE(has_scientific_notation(result.out)) << result.out;
    EXPECT_FALSE(has_scientific_notation(result.err)) << result.err;
  }
  EXPECT_GT(ran, 35);
}

}  // namespace
}  // namespace wattcast::testing
