"""What the linear families (linear and logistic regression, gradient descent) share:
parameters, interpretation, classical inference and resampling, coefficient paths, the
decision boundary, and their figures."""
