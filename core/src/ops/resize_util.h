#pragma once
// Internal to resize.cpp (and its tests through the registry): the per-axis sampling tables of
// Resize/Upsample. Each output coordinate of an axis reads `taps` input indices with weights;
// the N-d result is the tensor product of the axes' tables (ONNX Resize is separable).

#include <cstdint>
#include <vector>

namespace lnscope::core::ops {

enum class ResizeMode { Nearest, Linear, Cubic };

enum class CoordMode { HalfPixel, PytorchHalfPixel, AlignCorners, Asymmetric, TfHalfPixelForNn, TfCropAndResize };

/// Simple: Resize-10 and Upsample, which predate nearest_mode: floor when the axis is enlarged,
/// ceil when it is reduced (onnxruntime; matches the Resize-10 spec examples).
enum class NearestMode { RoundPreferFloor, RoundPreferCeil, Floor, Ceil, Simple };

struct ResizeParams
{
    ResizeMode mode = ResizeMode::Nearest;
    CoordMode coord = CoordMode::HalfPixel;
    NearestMode nearest = NearestMode::RoundPreferFloor;
    double cubicA = -0.75;
    bool excludeOutside = false;
    float extrapolation = 0.f; ///< output value outside the input (tf_crop_and_resize only)
};

/// Sampling of one axis: output o reads index[o·taps + k] with weight[o·taps + k];
/// outside[o] marks outputs that take the extrapolation value instead.
struct AxisTable
{
    int taps = 1;
    std::vector<int64_t> index;
    std::vector<float> weight;
    std::vector<uint8_t> outside;
    bool anyOutside = false;
};

/// The input coordinate (in input pixels, double precision as the ONNX reference) that output
/// coordinate x maps to. `scale` is the given scale, or outLen/inLen when sizes were given;
/// `resizedLen` is inLen·scale — not rounded, as in the ONNX reference and its test data (it
/// differs from the integer output length only for align_corners/pytorch_half_pixel/
/// tf_crop_and_resize with scales whose product with the length is not whole).
double originalCoordinate(CoordMode mode, double x, double scale, int64_t inLen, double resizedLen, double roiStart,
                          double roiEnd);

/// Integer input index of a nearest-neighbour sample, before clamping to the axis.
int64_t nearestIndex(NearestMode mode, double x, double scale);

/// Keys cubic convolution weight of a tap at distance s (|s| < 2), parameter a.
double cubicWeight(double s, double a);

AxisTable buildAxisTable(const ResizeParams& p, int64_t inLen, int64_t outLen, double scale, double resizedLen,
                         double roiStart, double roiEnd);

/// True when the table maps output o to input o with weight 1 (the axis is not resized).
bool isIdentity(const AxisTable& t, int64_t inLen);

} // namespace lnscope::core::ops
