#include "lnscope/widgets/camera_box_view.h"
// Placeholder: being written this session (see the issue notes).
