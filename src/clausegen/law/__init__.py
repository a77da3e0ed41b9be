"""The legal registry (registry.yaml) and its reader."""
