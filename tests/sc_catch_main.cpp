// libsystemc.so defines main() and calls sc_main(); run Catch2 from there.
#define CATCH_CONFIG_RUNNER
#include <systemc>
#include <catch2/catch.hpp>

int sc_main(int argc, char* argv[]) {
  return Catch::Session().run(argc, argv);
}
