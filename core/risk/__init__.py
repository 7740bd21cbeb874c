"""Capacity and risk: bias and variance measured from refits, and double descent.

Pure computation for the /capacity page (never imports Streamlit): ``bias_variance``
refits a family's regressor on fresh samples of a known curve, ``double_descent``
simulates minimum-norm least squares against Hastie et al.'s (2019) limits, ``settings``
declares the page's URL keys, ``figures`` builds the charts and ``scripts`` writes the
standalone scripts that reproduce both tables.
"""
