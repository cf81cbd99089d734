"""Authoring: stubs made from the solutions, notebooks built from their percent sources, and the
sample submissions made from mutants."""
