#include "sensors/process_tree_sensor.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "sensors/text_file.h"

namespace wattcast {

namespace {

struct ProcessStat {
  pid_t pid = 0;
  pid_t parent = 0;
  std::string command;
  unsigned long long cpu_ticks = 0;  // utime + stime + cutime + cstime
  unsigned long long rss_pages = 0;
};

// /proc/PID/stat: "pid (comm) state ppid ...". comm may hold spaces and parentheses, so the
// fields are counted from the last ')'.
std::optional<ProcessStat> parse_stat(const std::string& text) {
  const size_t open = text.find('(');
  const size_t close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  ProcessStat stat;
  stat.command = text.substr(open + 1, close - open - 1);
  std::istringstream pid_field(text.substr(0, open));
  if (!(pid_field >> stat.pid)) return std::nullopt;

  std::istringstream fields(text.substr(close + 1));
  std::vector<std::string> after;  // after[0] is field 3 (state)
  std::string field;
  while (after.size() < 22 && fields >> field) after.push_back(field);
  if (after.size() < 22) return std::nullopt;
  auto number = [&](int field_number) { return parse_unsigned(after[static_cast<size_t>(field_number - 3)]); };
  const auto parent = number(4);
  const auto utime = number(14);
  const auto stime = number(15);
  const auto rss = number(24);
  if (!parent.ok || !utime.ok || !stime.ok || !rss.ok) return std::nullopt;
  // cutime and cstime are signed in the kernel's format; negative values never occur in practice.
  const auto cutime = number(16);
  const auto cstime = number(17);
  stat.parent = static_cast<pid_t>(parent.value);
  stat.cpu_ticks = utime.value + stime.value + (cutime.ok ? cutime.value : 0) + (cstime.ok ? cstime.value : 0);
  stat.rss_pages = rss.value;
  return stat;
}

std::optional<ProcessStat> read_stat(const std::string& proc_root, pid_t pid) {
  const TextFile file = read_text_file(fmt::format("{}/{}/stat", proc_root, pid));
  if (!file.ok()) return std::nullopt;
  return parse_stat(file.text);
}

bool all_digits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

// The tree through /proc/PID/task/TID/children (Linux 3.5+ with CONFIG_PROC_CHILDREN): opens
// for the tree's own processes only, not for every process on the machine. nullopt when the
// kernel (or a fake tree) has no children files.
std::optional<std::vector<pid_t>> tree_via_children_files(const std::string& proc_root, pid_t root) {
  // error_code overloads throughout: a process that exits while it is read must not throw.
  std::error_code missing;
  if (!std::filesystem::exists(fmt::format("{}/{}/task/{}/children", proc_root, root, root), missing)) return std::nullopt;
  std::vector<pid_t> tree;
  std::vector<pid_t> pending = {root};
  std::set<pid_t> visited;
  while (!pending.empty()) {
    const pid_t pid = pending.back();
    pending.pop_back();
    if (!visited.insert(pid).second) continue;
    tree.push_back(pid);
    std::error_code error;
    for (std::filesystem::directory_iterator task(fmt::format("{}/{}/task", proc_root, pid), error), end; !error && task != end;
         task.increment(error)) {
      const TextFile children = read_text_file((task->path() / "children").string());
      if (!children.ok()) continue;  // the thread or process ended meanwhile
      std::istringstream list(children.text);
      long child = 0;
      while (list >> child) pending.push_back(static_cast<pid_t>(child));
    }
  }
  return tree;
}

// Without children files, how often the whole of /proc is scanned for the tree.
constexpr double kRescanPeriodS = 5;

class ProcessTreeSensor final : public Sensor {
 public:
  ProcessTreeSensor(DeviceInfo device, std::string proc_root, pid_t root, SecondsClock clock)
      : devices_{std::move(device)}, proc_root_(std::move(proc_root)), root_(root), clock_(std::move(clock)) {}

  std::string name() const override { return "process-tree"; }
  // CPU time and RSS change slowly; once a second is plenty.
  double min_interval_s() const override { return 1.0; }
  const std::vector<DeviceInfo>& devices() const override { return devices_; }

  Status sample(std::vector<Reading>& out) override {
    if (auto tree = tree_via_children_files(proc_root_, root_)) {
      add_reading(*tree, out);
      return ok_status();
    }
    const double now_s = clock_();
    if (known_tree_.empty() || now_s - scanned_s_ >= kRescanPeriodS) {
      known_tree_ = tree_by_scanning_proc();
      scanned_s_ = now_s;
    }
    add_reading(known_tree_, out);
    return ok_status();
  }

 private:
  // Every process under /proc, linked by parent: the root's descendants. Empty once the root is gone.
  std::vector<pid_t> tree_by_scanning_proc() const {
    std::set<pid_t> alive;
    std::multimap<pid_t, pid_t> children;
    std::error_code error;
    for (std::filesystem::directory_iterator entry(proc_root_, error), end; !error && entry != end; entry.increment(error)) {
      const std::string name = entry->path().filename().string();
      if (!all_digits(name) || name.size() > 9) continue;
      auto stat = read_stat(proc_root_, static_cast<pid_t>(std::stol(name)));
      if (!stat) continue;  // exited since the listing
      children.emplace(stat->parent, stat->pid);
      alive.insert(stat->pid);
    }
    std::vector<pid_t> tree;
    if (!alive.count(root_)) return tree;
    std::vector<pid_t> pending = {root_};
    std::set<pid_t> visited;  // parent links read at different instants could, in theory, loop
    while (!pending.empty()) {
      const pid_t pid = pending.back();
      pending.pop_back();
      if (!visited.insert(pid).second) continue;
      tree.push_back(pid);
      const auto [first, last] = children.equal_range(pid);
      for (auto child = first; child != last; ++child) pending.push_back(child->second);
    }
    return tree;
  }

  // Sums the tree's processes that are still alive; none when the root is gone.
  void add_reading(const std::vector<pid_t>& tree, std::vector<Reading>& out) const {
    unsigned long long ticks = 0, pages = 0;
    bool root_alive = false;
    for (pid_t pid : tree) {
      auto stat = read_stat(proc_root_, pid);
      if (!stat) continue;  // exited since the listing
      root_alive = root_alive || pid == root_;
      ticks += stat->cpu_ticks;
      pages += stat->rss_pages;
    }
    if (root_alive) out.push_back(reading_of(ticks, pages));
  }

  static Reading reading_of(unsigned long long ticks, unsigned long long pages) {
    Reading reading;
    reading.device = 0;
    reading.cpu_time_s = static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    reading.rss_bytes = static_cast<double>(pages) * static_cast<double>(::sysconf(_SC_PAGESIZE));
    return reading;
  }

  std::vector<DeviceInfo> devices_;
  std::string proc_root_;
  pid_t root_;
  SecondsClock clock_;
  std::vector<pid_t> known_tree_;  // from the last scan of /proc
  double scanned_s_ = 0;
};

}  // namespace

Result<std::unique_ptr<Sensor>> make_process_tree_sensor(pid_t root_pid, const std::string& proc_root, SecondsClock clock) {
  const auto root = read_stat(proc_root, root_pid);
  if (!root) {
    return Error{fmt::format("process {} not found under {}: it has exited, or WATTCAST_PROC_ROOT does not point at "
                             "a mounted procfs; its CPU time and memory will not be recorded",
                             root_pid, proc_root)};
  }
  DeviceInfo device;
  device.kind = "process";
  device.name = fmt::format("pid {} ({}) and its descendants", root_pid, root->command);
  device.uuid = fmt::format("pid-{}", root_pid);
  device.index = 0;
  device.provenance = Provenance::kMeasured;
  return std::unique_ptr<Sensor>(std::make_unique<ProcessTreeSensor>(std::move(device), proc_root, root_pid, std::move(clock)));
}

}  // namespace wattcast
