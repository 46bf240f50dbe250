"""The third-party matrix: SciPy, scikit-learn, array-api-extra and einops calls."""
