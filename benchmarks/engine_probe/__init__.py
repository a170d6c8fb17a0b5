"""Code loaded into the benchmarked engine process (see ``cpu_probe``)."""
