"""Benchmarks: tinbao's hot paths measured against their ceilings on one machine."""
