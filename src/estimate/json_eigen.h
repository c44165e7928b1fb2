#pragma once
// Eigen vectors and matrices to and from JSON arrays, for fitted-model files.

#include <nlohmann/json.hpp>

#include <Eigen/Dense>

namespace wattcast {

inline nlohmann::json to_json_array(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

inline nlohmann::json to_json_rows(const Eigen::MatrixXd& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) rows.push_back(to_json_array(m.row(i).transpose()));
  return rows;
}

// Throw nlohmann::json exceptions on malformed input; callers turn them into errors.
inline Eigen::VectorXd vector_from_json(const nlohmann::json& j) {
  const auto values = j.get<std::vector<double>>();
  return Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

inline Eigen::MatrixXd matrix_from_json(const nlohmann::json& j) {
  const auto rows = j.get<std::vector<std::vector<double>>>();
  const Eigen::Index cols = rows.empty() ? 0 : static_cast<Eigen::Index>(rows[0].size());
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), cols);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (static_cast<Eigen::Index>(rows[i].size()) != cols) throw std::invalid_argument("ragged matrix");
    for (Eigen::Index c = 0; c < cols; ++c) m(static_cast<Eigen::Index>(i), c) = rows[i][static_cast<size_t>(c)];
  }
  return m;
}

}  // namespace wattcast
