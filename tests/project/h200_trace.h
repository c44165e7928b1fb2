#pragma once
// The real H200 runs in tests/fixtures/h200, replayed through the product's own path: the
// exported samples and epochs imported into a store (`wattcast store import`), then read back as
// `project` reads a stored run, with the energy before and between epochs and the measured total.

#include <stdexcept>
#include <string>

#include "project/epoch_trace.h"
#include "project/stored_run.h"
#include "store/run_import.h"
#include "store/sqlite_store.h"
#include "test_paths.h"

namespace wattcast::testing {

inline EpochTrace read_h200_run(const std::string& name) {
  const std::string dir = source_dir() + "/tests/fixtures/h200/" + name;
  auto imported = read_exported_run(dir + "_samples.csv", dir + "_epochs.csv");
  if (!imported) throw std::runtime_error(imported.error().message);
  auto store = open_sqlite_store(":memory:");
  if (!store) throw std::runtime_error(store.error().message);
  auto run_id = store_imported_run(**store, *imported);
  if (!run_id) throw std::runtime_error(run_id.error().message);
  auto trace = read_stored_run(**store, *run_id);
  if (!trace) throw std::runtime_error(trace.error().message);
  trace->source = name + " on the H200";
  return std::move(trace).value();
}

}  // namespace wattcast::testing
