"""Writes a run's evaluation curve as CSV (and copies its plot) into bench/results.

    python bench/learning/export_curve.py RUN_DIR OUT_STEM [--action-repeat N]

CSV columns: agent_step, env_steps (agent steps x action repeat), wall_hours since the run's
first metric (stopped and resumed periods are included as the gap between them), eval_return.
The run's own plot (learning_curve.png, drawn by the gateway) is copied beside it as OUT_STEM.png.
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("out_stem", type=Path)
    parser.add_argument("--action-repeat", type=int, default=1)
    args = parser.parse_args()
    first_wall = None
    rows = []
    with (args.run_dir / "metrics.jsonl").open() as f:
        for line in f:
            record = json.loads(line)
            if first_wall is None:
                first_wall = record.get("wall_time")
            if record.get("tag") == "eval/return":
                step = int(record["step"])
                rows.append((step, step * args.action_repeat,
                             round((record["wall_time"] - first_wall) / 3600, 3), round(float(record["value"]), 1)))
    args.out_stem.parent.mkdir(parents=True, exist_ok=True)
    with args.out_stem.with_suffix(".csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["agent_step", "env_steps", "wall_hours", "eval_return"])
        writer.writerows(rows)
    plot = args.run_dir / "learning_curve.png"
    if plot.exists():
        shutil.copyfile(plot, args.out_stem.with_suffix(".png"))
    print(f"{len(rows)} evaluations -> {args.out_stem.with_suffix('.csv')}")


if __name__ == "__main__":
    main()
