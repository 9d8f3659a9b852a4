#include "lnscope/widgets/sqnr_chart_view.h"
// Placeholder: being written this session (see the issue notes).
