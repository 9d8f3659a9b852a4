#pragma once
// What the centroid view draws for one cluster-compressed layer (issue: "Cluster centroids"): the
// layer's normalized kernels (w / m, the space k-means clustered) projected on their first two
// principal axes and coloured by cluster, the centroids in the same projection (after refinement,
// and before it when the layer was refined), the occupancy of every cluster, and the most used
// centroids as k×k tiles. Numerics only; the widget draws the plain struct.
//
// Projection: PCA of the normalized kernels (covariance about their mean, double precision,
// Eigen's self-adjoint solver). Each axis' sign is fixed so that its largest-magnitude component
// is positive — the same layer always gives the same picture. All-zero kernels (scale 0) are not
// in k-means and not plotted.
//
// Threading: a pure function of its inputs.

#include "lnscope/core/converted_model.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace lnscope::core {

struct CentroidPlot
{
    std::string node;
    int d = 0;                  ///< values per kernel (kh·kw)
    int kh = 0, kw = 0;         ///< tile shape of a centroid
    int clusters = 0;
    int64_t kernels = 0;        ///< non-zero kernels of the layer
    std::vector<std::array<float, 2>> points; ///< projected kernels (at most maxPoints, evenly strided)
    std::vector<int> pointCluster;            ///< cluster of each point
    std::vector<std::array<float, 2>> centroids;       ///< projected centroids as stored (refined when refined)
    std::vector<std::array<float, 2>> centroidsBefore; ///< projected k-means centroids; empty unless refined
    std::vector<int64_t> occupancy;           ///< kernels per cluster (all non-zero kernels, not only the plotted)
    std::vector<int> byOccupancy;             ///< cluster ids, most used first (ties: lower id)
    std::vector<float> centroidValues;        ///< clusters × d, the (refined) unit-norm centroids
    std::array<double, 2> explained{0.0, 0.0}; ///< share of the total variance on each axis
};

/// The plot of `layer` (which must be clustered with ClusterUnit::Kernel and 4-D weights) given
/// its folded float weight. Throws UnsupportedError for other layers, FormatError when the weight
/// does not fit the layer.
CentroidPlot centroidPlot(const ConvertedLayer& layer, const Tensor& foldedWeight, int maxPoints = 4000);

} // namespace lnscope::core
