"""Writes the speed table of one run of bench/tdmpc2/run.sh into bench/results/tdmpc2.md.

Reads the run's rows (by label) from the CSV, pairs Worldgate's with the PyTorch twin's of the same
preset, and puts its table first between the markers <!-- speed:begin --> and <!-- speed:end -->,
above the earlier runs' tables (which stay: they are the record of other machines and builds).
"""
import argparse
import csv

# nicklashansen/tdmpc2 on a 2-core machine (issue 11): s/update at batch 256, s/plan, MiB
REFERENCE = {"1M": (0.123, 0.150, 468), "5M": (0.429, 0.410, 685)}
BEGIN, END = "<!-- speed:begin -->", "<!-- speed:end -->"


def table(a, label):
    """The lines of one run's table: Worldgate against the twin, per preset."""
    rows = {}
    with open(a.csv) as f:
        for r in csv.DictReader(f):
            if r["label"] == label:
                rows[(r["impl"], r["preset"])] = r
    presets = [p for (impl, p) in rows if impl == "worldgate"]
    number = ("bfloat16 products (Worldgate's precision=bf16, the twin under torch.autocast)"
              if label.endswith("-bf16") else "float32")
    lines = [f"Run `{label}`: {a.machine}; {next(iter(rows.values()))['threads']} libtorch thread(s) "
             f"on both sides, {number}, eager. Worldgate/twin < 1 means Worldgate takes less time. "
             "CPU ms: the calling thread's CPU time (what a loaded machine disturbs least).", ""]
    if a.note:
        lines += [f"**{a.note}**", ""]
    lines += ["| preset | what | Worldgate | PyTorch twin | Worldgate/twin (wall) | Worldgate/twin (CPU) "
              "| reference (issue 11) | goal (1.5x faster) |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for p in presets:
        w, t = rows[("worldgate", p)], rows.get(("torch-twin", p))
        ref = REFERENCE.get(p)
        for what, key, cpu, idx in (("update (batch 256)", "s_per_update", "cpu_s_per_update", 0),
                                    ("plan (1 env)", "s_per_plan", "cpu_s_per_plan", 1)):
            ws, wc = float(w[key]), float(w[cpu])
            cell_w = f"{ws * 1e3:.0f} ms ({1 / ws:.2f}/s; CPU {wc * 1e3:.0f} ms)"
            if t:
                ts, tc = float(t[key]), float(t[cpu])
                cell_t = f"{ts * 1e3:.0f} ms ({1 / ts:.2f}/s; CPU {tc * 1e3:.0f} ms)"
                r_wall, r_cpu = f"{ws / ts:.2f}", f"{wc / tc:.2f}"
            else:
                cell_t = r_wall = r_cpu = "-"
            ref_cell = f"{ref[idx] * 1e3:.0f} ms" if ref else "-"
            goal = f"<= {ref[idx] / 1.5 * 1e3:.0f} ms" if ref else "-"
            lines.append(f"| `{p}` | {what} | {cell_w} | {cell_t} | {r_wall} | {r_cpu} | {ref_cell} | {goal} |")
        tm = f"{float(t['peak_rss_mib']):.0f} MiB" if t else "-"
        lines.append(f"| `{p}` | peak RSS | {float(w['peak_rss_mib']):.0f} MiB | {tm} | "
                     + (f"{float(w['peak_rss_mib']) / float(t['peak_rss_mib']):.2f}" if t else "-")
                     + f" | | {ref[2] if ref else '-'} MiB | |")
    lines.append("")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--label", required=True, action="append",
                    help="rows to tabulate, one table per label (repeat for several, e.g. the fp32 and bf16 runs)")
    ap.add_argument("--md", required=True)
    ap.add_argument("--machine", default="")
    ap.add_argument("--note", default="")
    a = ap.parse_args()
    lines = []
    for label in a.label:
        lines += table(a, label)
    text = open(a.md).read()
    run = "\n".join(lines)
    if BEGIN in text and END in text:
        earlier = text[text.index(BEGIN) + len(BEGIN): text.index(END)].strip("\n")
        block = "\n".join([BEGIN, "", run.strip("\n"), "", earlier, "", END]) if earlier else "\n".join([BEGIN, "", run, "", END])
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join([BEGIN, "", run, "", END]) + "\n"
    with open(a.md, "w") as f:
        f.write(text)
    print(run)


if __name__ == "__main__":
    main()
