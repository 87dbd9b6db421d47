"""The runner: on the tester's machine, drives the scenario script and samples the device (adb) or a
local process at the same time, on one clock, streaming to the server's ingest endpoint."""
