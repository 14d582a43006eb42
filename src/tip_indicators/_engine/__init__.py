"""The consistency engine: rule families evaluated column-wise, localisation of errors."""
