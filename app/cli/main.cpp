#include <cstdio>
int main() { std::puts("lnscope-cli"); return 0; }
