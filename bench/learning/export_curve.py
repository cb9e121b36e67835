"""Writes a run's evaluation curve as CSV (and copies its plot) into bench/results.

    python bench/learning/export_curve.py RUN_DIR OUT_STEM [--action-repeat N]

CSV columns: agent_step, env_steps (agent steps x action repeat), wall_hours since the run's
first metric (stopped and resumed periods are included as the gap between them), eval_return, and
eval_success where the environment reports a success flag (the evaluation's success rate).
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
    evaluations: list[dict[str, object]] = []
    with (args.run_dir / "metrics.jsonl").open() as f:
        for line in f:
            record = json.loads(line)
            if first_wall is None:
                first_wall = record.get("wall_time")
            tag = record.get("tag")
            if tag == "eval/return":
                step = int(record["step"])
                evaluations.append({"agent_step": step, "env_steps": step * args.action_repeat,
                                    "wall_hours": round((record["wall_time"] - first_wall) / 3600, 3),
                                    "eval_return": round(float(record["value"]), 1)})
            elif tag == "eval/success" and evaluations and evaluations[-1]["agent_step"] == int(record["step"]):
                # written right after the same evaluation's eval/return
                evaluations[-1]["eval_success"] = round(float(record["value"]), 3)
    columns = ["agent_step", "env_steps", "wall_hours", "eval_return"]
    if any("eval_success" in row for row in evaluations):
        columns.append("eval_success")
    args.out_stem.parent.mkdir(parents=True, exist_ok=True)
    with args.out_stem.with_suffix(".csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(evaluations)
    plot = args.run_dir / "learning_curve.png"
    if plot.exists():
        shutil.copyfile(plot, args.out_stem.with_suffix(".png"))
    print(f"{len(evaluations)} evaluations -> {args.out_stem.with_suffix('.csv')}")


if __name__ == "__main__":
    main()
