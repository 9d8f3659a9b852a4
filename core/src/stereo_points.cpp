#include "lnscope/core/stereo_points.h"
// Placeholder: being written this session (see the issue notes).
