// lnscope-synth: the procedural stereo driving-scene generator (`lnscope-cli synth` runs it).
#include "lnscope/synth/synth.h"

#include <string>
#include <vector>

int main(int argc, char** argv)
{
    return lnscope::synth::synthMain(std::vector<std::string>(argv + 1, argv + argc));
}
