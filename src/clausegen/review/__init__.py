"""The PFRA review: rules of the law and of the 2019 instruction, run on a profile (and its pack)."""
