"""The benchmark harness: extraction throughput, agreement between the backends, end-to-end accuracy."""
