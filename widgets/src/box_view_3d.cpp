#include "lnscope/widgets/box_view_3d.h"
// Placeholder: being written this session (see the issue notes).
