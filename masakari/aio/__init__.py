"""The all-in-one mode: API, engine and Nova simulator in one process."""
