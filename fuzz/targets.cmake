# The fuzz targets, one per parser that meets outside input: fuzz/NAME.cpp, seeds in fuzz/corpus/NAME/.
# Built with libFuzzer by fuzz/CMakeLists.txt (`make fuzz`) and as corpus replays by tests/fuzz.
set(BACKSTOP_FUZZ_TARGETS
  alertmanager_payload
  generic_event
  http_events
  expression_compiler
  policy_document
  toml_reader
  simulate_recording)
