"""Maximum likelihood for the engine's models: log-parameter space, compressed data, standard errors.

Every model here has strictly positive parameters, so the optimiser works on their logarithms (no bounds to
hit, and steps are relative). The data are compressed to their unique rows with a weight each: the
likelihood of a customer depends only on (x, t_x, T), and real summaries measured in whole days or weeks
repeat those triples many times over.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# The optimiser works on log-parameters; beyond e^±25 a parameter has run off to a boundary of its space
# (a rate of zero, a dropout probability of one), which means the data do not identify it.
LOG_PARAMETER_LIMIT = 25.0
# Central differences of the gradient in log space: a relative step of 1e-5 balances truncation (h²) and
# rounding (eps / h) for likelihoods summed over up to millions of customers.
HESSIAN_STEP = 1e-5


class FitError(ValueError):
    """The data cannot identify the model, or the optimiser did not reach a maximum."""


@dataclass(frozen=True)
class Compressed:
    """Unique (x, t_x, T) rows and how many customers share each."""

    frequency: FloatArray
    recency: FloatArray
    age: FloatArray
    weights: FloatArray


@dataclass(frozen=True)
class MaximumLikelihood:
    """The maximum of a log-likelihood over strictly positive parameters."""

    params: dict[str, float]
    standard_errors: dict[str, float]
    log_likelihood: float
    iterations: int


def as_float_array(values: ArrayLike, name: str) -> FloatArray:
    """A one-dimensional float array of finite values, or a ValueError naming the input."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        array = np.atleast_1d(array).ravel()
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} has values that are not finite numbers")
    return array


def check_summary(frequency: ArrayLike, recency: ArrayLike, age: ArrayLike) -> tuple[FloatArray, ...]:
    """(x, t_x, T) as float arrays of one length, checked against the models' definitions."""
    x = as_float_array(frequency, "frequency")
    t_x = as_float_array(recency, "recency")
    big_t = as_float_array(age, "age")
    if not (x.shape == t_x.shape == big_t.shape):
        raise ValueError("frequency, recency and age must have the same length")
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency must be whole numbers of repeat purchases, 0 or more")
    if np.any(t_x < 0) or np.any(t_x > big_t):
        raise ValueError("recency must lie between 0 and the customer's age")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("recency must be 0 for customers without a repeat purchase")
    return x, t_x, big_t


def compress(
    frequency: ArrayLike, recency: ArrayLike, age: ArrayLike, weights: ArrayLike | None = None
) -> Compressed:
    """The unique (x, t_x, T) rows and the number of customers (or the summed weights) of each."""
    x, t_x, big_t = check_summary(frequency, recency, age)
    rows = np.stack([x, t_x, big_t], axis=1)
    unique, inverse = np.unique(rows, axis=0, return_inverse=True)
    if weights is None:
        counts = np.bincount(inverse.ravel(), minlength=len(unique)).astype(np.float64)
    else:
        given = as_float_array(weights, "weights")
        if given.shape != x.shape or np.any(given < 0):
            raise ValueError("weights must be one non-negative number per customer")
        counts = np.bincount(inverse.ravel(), weights=given, minlength=len(unique))
    return Compressed(
        frequency=np.ascontiguousarray(unique[:, 0]),
        recency=np.ascontiguousarray(unique[:, 1]),
        age=np.ascontiguousarray(unique[:, 2]),
        weights=counts,
    )


def unique_inverse(values: FloatArray) -> tuple[FloatArray, IntArray]:
    """The distinct values and, per element, the index of its value: terms that depend on one column only
    are computed once per distinct value and gathered back."""
    distinct, inverse = np.unique(values, return_inverse=True)
    return distinct, inverse.ravel().astype(np.int64)


ValueAndGradient = Callable[[FloatArray], tuple[float, FloatArray]]


def numerical_gradient(value: Callable[[FloatArray], float]) -> ValueAndGradient:
    """Value and central-difference gradient, for likelihoods without an analytic gradient."""

    def value_and_gradient(theta: FloatArray) -> tuple[float, FloatArray]:
        centre = value(theta)
        gradient = np.empty_like(theta)
        for index in range(len(theta)):
            step = np.zeros_like(theta)
            step[index] = 1e-6
            gradient[index] = (value(theta + step) - value(theta - step)) / 2e-6
        return centre, gradient

    return value_and_gradient


def hessian(value_and_gradient: ValueAndGradient, theta: FloatArray) -> FloatArray:
    """Hessian by central differences of the gradient, symmetrised."""
    size = len(theta)
    matrix = np.empty((size, size))
    for index in range(size):
        step = np.zeros(size)
        step[index] = HESSIAN_STEP
        matrix[:, index] = (value_and_gradient(theta + step)[1] - value_and_gradient(theta - step)[1]) / (
            2 * HESSIAN_STEP
        )
    return (matrix + matrix.T) / 2


def maximise_log_likelihood(
    negative_log_likelihood: ValueAndGradient,
    names: Sequence[str],
    start: Sequence[float],
    *,
    total_weight: float,
) -> MaximumLikelihood:
    """Maximise a log-likelihood over log-parameters; ``negative_log_likelihood(log_params)`` returns the
    summed negative log-likelihood and its gradient with respect to the log-parameters.

    The optimiser sees the mean per customer, so its tolerances mean the same at 2,000 customers and at
    a million. L-BFGS-B does the travelling; Newton steps on the differenced Hessian then polish the
    optimum to the precision of the gradient (the figures must agree with other implementations to more
    digits than L-BFGS-B's stopping rule guarantees). Standard errors come from the inverse Hessian of
    the negative log-likelihood, carried from log space by the delta method: se(θ) = θ · se(log θ).
    """

    def mean_objective(theta: FloatArray) -> tuple[float, FloatArray]:
        value, gradient = negative_log_likelihood(theta)
        if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
            # Steer the line search back: a non-finite value is a region the parameters cannot be in.
            return float("inf"), np.zeros_like(theta)
        return value / total_weight, gradient / total_weight

    theta0 = np.log(np.asarray(start, dtype=np.float64))
    if not np.isfinite(mean_objective(theta0)[0]):
        raise FitError("the likelihood cannot be evaluated at the starting values; check the data")
    limit = [(-LOG_PARAMETER_LIMIT, LOG_PARAMETER_LIMIT)] * len(names)
    result = minimize(
        mean_objective,
        theta0,
        jac=True,
        method="L-BFGS-B",
        bounds=limit,
        options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9, "maxcor": 20},
    )
    theta = np.asarray(result.x, dtype=np.float64)
    value, gradient = mean_objective(theta)
    if not np.isfinite(value):
        raise FitError(f"the optimiser did not converge: {result.message}")
    for _ in range(10):
        curvature = hessian(mean_objective, theta)
        try:
            step = np.linalg.solve(curvature, gradient)
        except np.linalg.LinAlgError:
            break
        candidate = theta - step
        candidate_value, candidate_gradient = mean_objective(candidate)
        if not candidate_value <= value + 1e-15 * abs(value):
            break
        converged = np.max(np.abs(step)) < 1e-10
        theta, value, gradient = candidate, candidate_value, candidate_gradient
        if converged:
            break
    if np.any(np.abs(theta) >= LOG_PARAMETER_LIMIT - 1e-6):
        at_limit = [name for name, log_value in zip(names, theta, strict=True) if abs(log_value) >= 24.99]
        raise FitError(
            f"the data do not identify the model: {', '.join(at_limit)} ran off to the edge of their range"
        )
    if np.max(np.abs(gradient)) > 1e-4:
        raise FitError(f"the optimiser did not converge: {result.message}")
    curvature = hessian(mean_objective, theta) * total_weight
    eigenvalues = np.linalg.eigvalsh(curvature)
    if not np.all(eigenvalues > 0):
        raise FitError("the data do not identify the model: the likelihood is flat or not at a maximum")
    covariance = np.linalg.inv(curvature)
    params = np.exp(theta)
    errors = params * np.sqrt(np.diag(covariance))
    return MaximumLikelihood(
        params={name: float(v) for name, v in zip(names, params, strict=True)},
        standard_errors={name: float(v) for name, v in zip(names, errors, strict=True)},
        log_likelihood=float(-value * total_weight),
        iterations=int(result.nit),
    )


def log1mexp(values: FloatArray) -> FloatArray:
    """log(1 − e^v) for v ≤ 0, accurate at both ends (Mächler 2012, "Accurately computing log(1 − exp(−|a|))")."""
    with np.errstate(divide="ignore"):
        return np.where(values > -np.log(2.0), np.log(-np.expm1(values)), np.log1p(-np.exp(values)))
