"""Loading and validation of YAML market profiles."""
