// The centroid plot data; see centroid_plot.h.

#include "lnscope/core/centroid_plot.h"

#include "lnscope/core/error.h"

#include "lnscope/core/detail/eigen.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lnscope::core {

CentroidPlot centroidPlot(const ConvertedLayer& layer, const Tensor& w, int maxPoints)
{
    const CompressedKernels& k = layer.kernels;
    if (!layer.clustered || k.unit != ClusterUnit::Kernel || layer.weightShape.size() != 4)
        throw UnsupportedError("centroid plot: layer '" + layer.node + "' is not a cluster-compressed convolution");
    if (w.shape() != layer.weightShape || !w.isFloat() || k.scales.size() != k.unitCount()
        || static_cast<int64_t>(k.unitCount()) * k.d != w.numel())
        throw FormatError("centroid plot: the weight does not fit layer '" + layer.node + "'");
    CentroidPlot p;
    p.node = layer.node;
    p.d = k.d;
    p.kh = static_cast<int>(layer.weightShape[2]);
    p.kw = static_cast<int>(layer.weightShape[3]);
    p.clusters = k.clusters;
    p.centroidValues = k.centroids;
    p.occupancy.assign(static_cast<size_t>(k.clusters), 0);

    // Normalized non-zero kernels (w / m) in double.
    const int d = k.d;
    std::vector<size_t> units;
    for (size_t u = 0; u < k.unitCount(); ++u)
        if (k.scales[u] != 0.f) {
            units.push_back(u);
            if (k.indices[u] < static_cast<uint32_t>(k.clusters))
                ++p.occupancy[k.indices[u]];
        }
    p.kernels = static_cast<int64_t>(units.size());
    Eigen::MatrixXd x(static_cast<Eigen::Index>(units.size()), d);
    for (size_t r = 0; r < units.size(); ++r)
        for (int j = 0; j < d; ++j)
            x(static_cast<Eigen::Index>(r), j) =
                double(w.floats()[units[r] * static_cast<size_t>(d) + static_cast<size_t>(j)]) / double(k.scales[units[r]]);

    Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(d);
    Eigen::MatrixXd axes = Eigen::MatrixXd::Identity(d, 2 <= d ? 2 : d);
    if (!units.empty()) {
        mean = x.colwise().mean();
        const Eigen::MatrixXd centred = x.rowwise() - mean;
        const Eigen::MatrixXd cov = centred.transpose() * centred / double(units.size());
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(cov);
        const Eigen::VectorXd values = solver.eigenvalues(); // ascending
        const double total = std::max(values.sum(), 1e-300);
        const int n = std::min(2, d);
        axes.resize(d, n);
        for (int a = 0; a < n; ++a) {
            Eigen::VectorXd v = solver.eigenvectors().col(d - 1 - a);
            Eigen::Index at = 0;
            v.cwiseAbs().maxCoeff(&at);
            if (v(at) < 0)
                v = -v;
            axes.col(a) = v;
            p.explained[static_cast<size_t>(a)] = std::max(0.0, values(d - 1 - a)) / total;
        }
    }
    auto project = [&](const double* row) {
        std::array<float, 2> out{0.f, 0.f};
        for (Eigen::Index a = 0; a < axes.cols(); ++a) {
            double s = 0;
            for (int j = 0; j < d; ++j)
                s += (row[j] - mean(j)) * axes(j, a);
            out[static_cast<size_t>(a)] = static_cast<float>(s);
        }
        return out;
    };
    const size_t stride = std::max<size_t>(1, (units.size() + static_cast<size_t>(std::max(maxPoints, 1)) - 1)
                                                  / static_cast<size_t>(std::max(maxPoints, 1)));
    std::vector<double> row(static_cast<size_t>(d));
    for (size_t r = 0; r < units.size(); r += stride) {
        for (int j = 0; j < d; ++j)
            row[static_cast<size_t>(j)] = x(static_cast<Eigen::Index>(r), j);
        p.points.push_back(project(row.data()));
        p.pointCluster.push_back(static_cast<int>(k.indices[units[r]]));
    }
    auto projectBook = [&](const std::vector<float>& book) {
        std::vector<std::array<float, 2>> out;
        for (int c = 0; c < k.clusters; ++c) {
            for (int j = 0; j < d; ++j)
                row[static_cast<size_t>(j)] = book[static_cast<size_t>(c * d + j)];
            out.push_back(project(row.data()));
        }
        return out;
    };
    p.centroids = projectBook(k.centroids);
    if (layer.refined && layer.centroidsBeforeRefine.size() == k.centroids.size())
        p.centroidsBefore = projectBook(layer.centroidsBeforeRefine);
    p.byOccupancy.resize(static_cast<size_t>(k.clusters));
    std::iota(p.byOccupancy.begin(), p.byOccupancy.end(), 0);
    std::stable_sort(p.byOccupancy.begin(), p.byOccupancy.end(),
                     [&](int a, int b) { return p.occupancy[size_t(a)] > p.occupancy[size_t(b)]; });
    return p;
}

} // namespace lnscope::core
