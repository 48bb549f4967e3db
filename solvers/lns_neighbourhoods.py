"""The neighbourhoods of the large-neighbourhood search (:mod:`solvers.lns`).

Each iteration of the search frees a neighbourhood of the incumbent and fixes the rest:

- ``hosts``: every package of a few random hiring organizations with placements; a talent
  placed in one of them may move among them or leave, a talent placed nowhere may enter them,
  and every other placement stays. On a GAP round (one package per host) this is the
  classic ejection of the jobs of a few agents.
- ``related``: as ``hosts``, but after a random first host come the hosts where its placed
  talents have their most valuable other edges, so that the freed talents can actually
  trade places (on a GAP round, the agents the jobs of the first one would rather go to).
- ``talents``: a few random talents with all their edges; the others keep their placements.

A neighbourhood is a mask of free edges, grown until it holds the size asked for.
"""

from __future__ import annotations

import numpy as np

from solvers.problem import BoolArray, Int64Array, Problem

NEIGHBOURHOODS: tuple[str, ...] = ("hosts", "related", "talents")
"""Neighbourhood kinds, tried in turn."""


def packages_of_host(problem: Problem) -> list[Int64Array]:
    """Per organization: the packages it hosts that have edges."""
    host_of_package = np.full(problem.n_packages, -1, dtype=np.int64)
    host_of_package[problem.package] = problem.host
    order = np.argsort(host_of_package, kind="stable")
    counts = np.bincount(host_of_package[host_of_package >= 0], minlength=problem.n_orgs)
    skip = int((host_of_package < 0).sum())
    return np.split(order[skip:], np.cumsum(counts)[:-1])


def host_neighbourhood(
    problem: Problem,
    chosen: BoolArray,
    live: BoolArray,
    packages_of_host: list[Int64Array],
    size: int,
    rng: np.random.Generator,
    related: bool = False,
) -> BoolArray:
    """Free edges of the packages of random hosts with placements, until ``size``; with
    ``related``, the hosts after the first one by decreasing total gain that the talents placed
    at the first one would make there instead."""
    hosts = np.unique(problem.host[chosen])
    if hosts.size == 0:
        hosts = np.unique(problem.host[live])
    rng.shuffle(hosts)
    if related and hosts.size > 1:
        at_first = chosen & (problem.host == hosts[0])
        # what each talent placed at the first host gains there; a host is worth adding by
        # how much those talents would gain at it instead
        now = np.full(problem.n_talents, np.inf)
        np.minimum.at(now, problem.talent[at_first], problem.edge_gain[at_first])
        other = live & np.isfinite(now[problem.talent]) & (problem.host != hosts[0])
        better = np.maximum(problem.edge_gain[other] - now[problem.talent[other]], 0.0)
        weight = np.bincount(problem.host[other], weights=better + 1e-3, minlength=problem.n_orgs)
        # a little noise so that the same first host does not always bring the same company
        noisy = weight[hosts[1:]].astype(np.float64) * rng.uniform(0.5, 1.0, hosts.size - 1)
        hosts = np.concatenate([hosts[:1], hosts[1:][np.argsort(-noisy, kind="stable")]])
    in_set = np.zeros(problem.n_packages, dtype=bool)
    # a talent placed outside the chosen packages keeps that placement: only talents placed
    # inside them (or nowhere) may take their edges
    free = np.zeros(problem.n_edges, dtype=bool)
    for h in hosts.tolist():
        in_set[packages_of_host[h]] = True
        placed_outside = np.zeros(problem.n_talents, dtype=bool)
        outside = chosen & ~in_set[problem.package]
        placed_outside[problem.talent[outside]] = True
        free = live & in_set[problem.package] & ~placed_outside[problem.talent]
        if int(free.sum()) >= size:
            break
    return free


def talent_neighbourhood(
    problem: Problem, chosen: BoolArray, live: BoolArray, size: int, rng: np.random.Generator
) -> BoolArray:
    """Every edge of random talents (with live edges), until ``size`` edges."""
    per_talent = np.bincount(problem.talent[live], minlength=problem.n_talents)
    candidates = np.flatnonzero(per_talent)
    order = rng.permutation(candidates)
    take = int(np.searchsorted(np.cumsum(per_talent[order]), size)) + 1
    picked = np.zeros(problem.n_talents, dtype=bool)
    picked[order[:take]] = True
    return live & picked[problem.talent]
