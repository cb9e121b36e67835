"""The pycma half of bench/cmaes/run.sh, and the report.

Runs pycma (the version installed in the bench venv) on the same functions, dimensions, starts and
seeds as CmaEsBench.java, counting evaluations the same way (at the end of the first generation
whose best value is below 1e-8), then writes the comparison of both to a markdown file.

    python pycma_bench.py JAVA_CSV PYCMA_CSV OUT_MD SEEDS

With REUSE_PYCMA=1 and PYCMA_CSV present, the pycma runs are read from it instead of run again.
"""
import csv
import os
import statistics
import sys
import time

import cma
import numpy as np


def sphere(x):
    return float(np.sum(x * x))


def ellipsoid(x):
    n = len(x)
    return float(np.sum(1e6 ** (np.arange(n) / (n - 1)) * x * x))


def rosenbrock(x):
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


FUNCTIONS = {"sphere": (sphere, 1.0), "ellipsoid": (ellipsoid, 1.0), "rosenbrock": (rosenbrock, 0.0)}


def evaluations_to(f, x0, seed):
    es = cma.CMAEvolutionStrategy(x0, 0.5, {"seed": seed, "verbose": -9})
    while not es.stop():
        xs = es.ask()
        fs = [f(np.asarray(x)) for x in xs]
        es.tell(xs, fs)
        if min(fs) < 1e-8:
            return es.countevals
    return -1


def generation_time():
    es = cma.CMAEvolutionStrategy(np.zeros(867), 0.1, {"seed": 1, "popsize": 64, "verbose": -9})
    rng = np.random.default_rng(1)
    generations = 30
    t0 = time.perf_counter()
    for _ in range(generations):
        xs = es.ask()
        es.tell(xs, list(rng.random(len(xs))))
    return (time.perf_counter() - t0) / generations


def main():
    java_csv, pycma_csv, out_md, seeds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rows = []
    if os.environ.get("REUSE_PYCMA") and os.path.exists(pycma_csv):
        # only the Java side changed: report against the pycma runs already measured
        rows = read_rows(pycma_csv)
    else:
        rows = run_pycma(pycma_csv, seeds)
    rows += read_rows(java_csv)
    write_report(rows, out_md, seeds)


def read_rows(path):
    with open(path) as fh:
        return [(r["impl"], r["function"], int(r["dim"]), int(r["seed"]), int(r["evaluations"]), float(r["seconds"]))
                for r in csv.DictReader(fh)]


def run_pycma(pycma_csv, seeds):
    rows = []
    for dim in (10, 30):
        for name, (f, start) in FUNCTIONS.items():
            for seed in range(1, seeds + 1):
                t0 = time.perf_counter()
                evals = evaluations_to(f, np.full(dim, start), seed)
                rows.append(("pycma", name, dim, seed, evals, time.perf_counter() - t0))
                print(f"pycma {name:<10} n={dim:<3} seed={seed:<2} evaluations={evals}", flush=True)
    per_generation = generation_time()
    rows.append(("pycma", "generation-time", 867, 1, 30 * 64, per_generation))
    print(f"pycma n=867 lambda=64: {per_generation:.3f} s per generation (mean of 30)")
    with open(pycma_csv, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["impl", "function", "dim", "seed", "evaluations", "seconds"])
        w.writerows(rows)
    return rows


def summary(rows, impl, name, dim):
    evals = [r[4] for r in rows if r[0] == impl and r[1] == name and r[2] == dim]
    ok = [e for e in evals if e > 0]
    return (statistics.median(ok) if ok else None), len(ok), len(evals), (min(ok) if ok else None), (max(ok) if ok else None)


def write_report(rows, out_md, seeds):
    lines = [
        "# CMA-ES: io.worldgate.runtime.evolve.CmaEs against pycma " + cma.__version__,
        "",
        "Written by `bench/cmaes/run.sh` (`./worldgate bench cmaes`). Evaluations until a generation's best",
        "value is below 1e-8, counted at the end of that generation, median over seeds 1.." + str(seeds)
        + " (runs that stopped",
        "before 1e-8 are left out of the median and counted in 'reached'). Both with their default",
        "population (4 + floor(3 ln n): 10 at n = 10, 14 at n = 30) and the default active covariance",
        "update; start x0 = 1 (sphere, ellipsoid) or 0 (Rosenbrock), sigma0 = 0.5. The two use different",
        "random generators, so the same seed is not the same sample: compare medians, not single runs.",
        "Ellipsoid: sum 1e6^(i/(n-1)) x_i^2 (condition 1e6). Rosenbrock: sum 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2.",
        "",
        "| function | dim | Java evals (median) | Java range | Java reached | pycma evals (median) | pycma range | pycma reached | ratio Java/pycma |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for dim in (10, 30):
        for name in FUNCTIONS:
            jm, jok, jn, jlo, jhi = summary(rows, "java", name, dim)
            pm, pok, pn, plo, phi = summary(rows, "pycma", name, dim)
            ratio = f"{jm / pm:.2f}" if jm and pm else "-"
            lines.append(f"| {name} | {dim} | {jm:g} | {jlo}..{jhi} | {jok}/{jn} | {pm:g} | {plo}..{phi} | {pok}/{pn} | {ratio} |")
    jt = next(r[5] for r in rows if r[0] == "java" and r[1] == "generation-time")
    pt = next(r[5] for r in rows if r[0] == "pycma" and r[1] == "generation-time")
    lines += [
        "",
        "## Time per generation at World Models' controller size (indicative only)",
        "",
        "n = 867 (CarRacing's linear controller on [z(32), h(256)] -> 3 actions), population 64, random",
        "fitness, 30 generations: the algorithm's own cost per generation (sampling, update, amortised",
        "eigendecomposition), not an evaluation's.",
        "",
        "| implementation | s per generation |",
        "| --- | --- |",
        f"| Java CmaEs (Householder + implicit QR eigendecomposition, one thread) | {jt:.3f} |",
        f"| pycma {cma.__version__} (numpy) | {pt:.3f} |",
        "",
        "Other processes (other builds and tests) ran on this 2-core machine during the measurement.",
        "Evaluation counts do not depend on load; the timings do, so they are indicative only.",
        "",
    ]
    with open(out_md, "w") as fh:
        fh.write("\n".join(lines))
    print("written " + out_md)


if __name__ == "__main__":
    main()
