"""The performance benchmark: `make bench` (see bench/README.md)."""
