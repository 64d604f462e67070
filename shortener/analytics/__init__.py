"""The read side: figures from the counters; never writes one."""
