// reramsim: libsystemc provides main() and calls sc_main().
#include <systemc>

#include <cstdlib>

#include "cli.hpp"

namespace {
// SystemC prints its banner before sc_main() runs unless told not to; a static
// initializer runs earlier still. An explicit setting by the user wins.
const bool g_quiet_banner = [] {
  return setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0) == 0;
}();
}  // namespace

int sc_main(int argc, char* argv[]) {
  (void)g_quiet_banner;
  std::vector<std::string> args(argv + 1, argv + argc);
  return reramsim::cli::main(args);
}
