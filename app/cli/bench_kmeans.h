#pragma once
// lnscope-cli bench --kmeans: our k-means against cv::kmeans on seeded kernel-like data.

#include <string>
#include <vector>

namespace lnscope::app {

/// True when the bench arguments select the k-means mode (--kmeans before any "--").
bool wantsKMeansBench(const std::vector<std::string>& argv);

/// Runs the k-means mode of `bench` (arguments without the command name); returns the exit code.
/// Throws UsageError for bad options (exit 2).
int runKMeansBench(const std::vector<std::string>& argv);

} // namespace lnscope::app
