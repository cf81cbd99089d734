"""What students run: the pytest plugin behind the graders, the notebook kernel's helpers, and
``course check``."""
