"""Writes bench/results/mae.md from the runs of bench/mae/experiment.sh.

    python3 bench/mae/report.py RUNS_DIR OUT.md --seeds "0 1" [--action-repeat 2] [--setting TEXT]

Per Dreamer variant and seed: the evaluation curve as CSV and the run's plot (bench/learning/
export_curve.py, as OUT_DIR/mae-VARIANT-seedS.*), and a row of the table: evaluation return at each
evaluation step, the final one, wall time. Then the MAE's reconstruction loss (the masked-patch
loss the MAE trains on): at the end of pre-training on its own frames, and on held-out frames (the
cnn run's) for the pre-trained and the random MAE; for the online MAE its own loss over its last
updates (its training frames: no held-out measurement of the agent's copy yet).
Python's standard library only.
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

VARIANTS = [
    ("cnn", "Dreamer's CNN encoder"),
    ("mae-frozen", "frozen MAE pre-trained in-domain + linear layer"),
    ("mae-online", "MAE trained online (Masked World Models style, from random weights)"),
    ("mae-random", "frozen MAE of random weights (control)"),
]
EXPORT = Path(__file__).resolve().parent.parent / "learning" / "export_curve.py"
# What these variants do otherwise than the MAE paper and Masked World Models (MWM), for the reader
# of the table; keep it in step with plugins/mae/README.md.
DIFFERENCES = [
    "## What differs from the paper and from Masked World Models", "",
    "- Features: Dreamer reads the agent key `encoder_features`: `mean` of the patch tokens (the default,"
    " unless the settings above say otherwise), `cls` (the class token, the paper's linear probe) or `tokens`"
    " (every patch token flattened, N x D, into Dreamer's linear layer). MWM feeds all tokens to a small ViT"
    " of its own.",
    "- Online MAE: from random weights, trained on 64 frames of each agent batch per update (MWM: 1,024"
    " replayed frames) by AdamW (β 0.9, 0.95, weight decay 0.05 but not on biases and LayerNorms, `encoder_lr`"
    " 1e-4; MWM: Adam 3e-4,"
    " ε 1e-5, clipping 100, decay 1e-6, learning-rate warm-up 2,500). MWM first trains its MAE alone for"
    " 5,000 updates on the prefill; here it does so only with `ONLINE_WARMUP` (`encoder_warmup`; see the"
    " settings above), else it starts with the agent on the features of a random MAE.",
    "- Pixels in [0, 1], no ImageNet standardisation; no convolutional stem and no reward head in the"
    " MAE's decoder (MWM has both); Dreamer reconstructs pixels (MWM: the MAE's features).",
    "- Pre-training: learning rate warmed up, then constant (the paper decays it on a cosine). Weight"
    " decay spares biases and LayerNorms, as the paper's code does (a build older than"
    " `Adam.Builder.decayMatricesOnly` decayed every parameter: see the runs' frozen dist/).", "",
]


def run_dir(seed_dir: Path, name: str) -> Path | None:
    marker = seed_dir / ".experiment" / name
    if not marker.is_file():
        return None
    run = seed_dir / marker.read_text().strip()
    return run if run.is_dir() else None


def records(path: Path) -> list[dict]:
    """The JSON rows of a metrics.jsonl; a last line still being written (no newline yet) is left out."""
    rows = []
    with path.open() as f:
        for line in f:
            if not line.endswith("\n"):
                break
            rows.append(json.loads(line))
    return rows


def scalars(run: Path, tag: str) -> list[tuple[int, float, float]]:
    """(step, wall_time, value) of every row of `tag` in the run's metrics.jsonl."""
    rows = []
    path = run / "metrics.jsonl"
    if not path.is_file():
        return rows
    for record in records(path):
        if record.get("tag") == tag and "value" in record:
            rows.append((int(record["step"]), float(record["wall_time"]), float(record["value"])))
    return rows


def wall_hours(run: Path) -> float | None:
    first = last = None
    for record in records(run / "metrics.jsonl"):
        t = record.get("wall_time")
        if t is not None:
            first = t if first is None else first
            last = t
    return None if first is None else (last - first) / 3600


def mean_last(rows: list[tuple[int, float, float]], n: int) -> float | None:
    values = [v for _, _, v in rows[-n:]]
    return sum(values) / len(values) if values else None


def fmt(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--action-repeat", type=int, default=2)
    parser.add_argument("--setting", default="")
    args = parser.parse_args()
    seeds = args.seeds.split()
    out_dir = args.out.parent
    out_dir.mkdir(parents=True, exist_ok=True)

    curves: dict[tuple[str, str], list[tuple[int, float]]] = {}
    walls: dict[tuple[str, str], float | None] = {}
    for seed in seeds:
        for variant, _ in VARIANTS:
            run = run_dir(args.runs_dir / f"seed{seed}", variant)
            if run is None:
                continue
            stem = out_dir / f"mae-{variant}-seed{seed}"
            subprocess.run([sys.executable, str(EXPORT), str(run), str(stem), "--action-repeat", str(args.action_repeat)],
                           check=True, stdout=subprocess.DEVNULL)
            with stem.with_suffix(".csv").open() as f:
                curves[(variant, seed)] = [(int(r["env_steps"]), float(r["eval_return"])) for r in csv.DictReader(f)]
            walls[(variant, seed)] = wall_hours(run)

    steps = sorted({s for curve in curves.values() for s, _ in curve})
    lines = ["# MAE encoders in Dreamer: dmc:cartpole-swingup from 64x64 pixels", ""]
    lines += ["Made by `bench/mae/experiment.sh` (issue 13 §5). " + (f"Settings: {args.setting}." if args.setting else ""), ""]
    lines += ["Variants: " + "; ".join(f"`{v}`: {d}" for v, d in VARIANTS) + ".", ""]
    lines += ["## Evaluation return", "",
              "Mean evaluation return at each evaluation (columns: env steps), the final one, and the run's wall"
              " time (first to last metric, stopped periods included); nan: an evaluation cut short (no episode"
              " ended), e.g. by a stop before a resume.", ""]
    lines.append("| variant | seed | " + " | ".join(f"{s:,}" for s in steps) + " | final | wall (h) |")
    lines.append("| --- | --- | " + " | ".join("---" for _ in steps) + " | --- | --- |")
    for variant, _ in VARIANTS:
        for seed in seeds:
            curve = curves.get((variant, seed))
            if curve is None:
                continue
            by_step = dict(curve)
            final = curve[-1][1] if curve else None
            lines.append(f"| {variant} | {seed} | " + " | ".join(fmt(by_step.get(s)) for s in steps)
                         + f" | {fmt(final)} | {fmt(walls[(variant, seed)], 2)} |")
    finals = {v: [curves[(v, s)][-1][1] for s in seeds if curves.get((v, s))] for v, _ in VARIANTS}
    mean = {v: sum(xs) / len(xs) for v, xs in finals.items() if xs}
    lines.append("")
    if "cnn" in mean and mean["cnn"] != 0:
        cnn = mean["cnn"]
        for v in ("mae-frozen", "mae-online", "mae-random"):
            if v in mean:
                lines.append(f"- `{v}`: mean final return {mean[v]:.1f}, {100 * mean[v] / cnn:.0f}% of the CNN's {cnn:.1f}")
        lines.append("- goal: `mae-frozen` within 10% of the CNN (>= 90%), `mae-online` at or above it (>= 100%)")
        lines.append("")

    lines += ["## Reconstruction loss of the MAE", "",
              "The masked-patch loss the MAE trains on (75% of patches masked, each patch normalised by its own mean and"
              " std; 1.0 is about what predicting each patch's mean scores). Held-out: batches of 64 frames of the `cnn`"
              " run (frames the MAEs never trained on), the same frames and masks for every MAE.", ""]
    lines.append("| seed | pre-training, last 100 updates (own frames) | pre-trained MAE, held-out | random MAE, held-out"
                 " | online MAE, last 100 updates (its own frames) |")
    lines.append("| --- | --- | --- | --- | --- |")
    for seed in seeds:
        d = args.runs_dir / f"seed{seed}"
        cells = []
        for name, n in (("mae-pretrain", 100), ("heldout-pretrain", None), ("heldout-init", None)):
            run = run_dir(d, name)
            rows = scalars(run, "loss/reconstruction") if run else []
            cells.append(fmt(mean_last(rows, n if n else len(rows) or 1), 3))
        online = run_dir(d, "mae-online")
        cells.append(fmt(mean_last(scalars(online, "encoder/loss"), 100), 3) if online else "-")
        lines.append(f"| {seed} | " + " | ".join(cells) + " |")
    shown = []
    for seed in seeds:
        for name in ("heldout-pretrain", "heldout-init"):
            run = run_dir(args.runs_dir / f"seed{seed}", name)
            images = sorted((run / "images").glob("*.png"), key=lambda p: p.stat().st_mtime) if run else []
            if images:
                target = out_dir / f"mae-{name}-seed{seed}.png"
                shutil.copyfile(images[-1], target)
                shown.append(f"[{target.name}]({target.name})")
    lines += ["", "Reconstructions of held-out frames (rows: masked input | reconstruction | original), pre-trained"
              " and random MAE: " + (", ".join(shown) if shown else "none") + ".", "",
              "Curves: `mae-VARIANT-seedS.csv` and `.png` (each run's own plot) beside this file, all in"
              " [mae-curves.png](mae-curves.png).", ""]
    lines += DIFFERENCES
    args.out.write_text("\n".join(lines))
    print(f"{len(curves)} curves -> {args.out}")


if __name__ == "__main__":
    main()
