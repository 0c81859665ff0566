// reramsim: libsystemc provides main() and calls sc_main().
#include <systemc>

#include "cli.hpp"

int sc_main(int argc, char* argv[]) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return reramsim::cli::main(args);
}
