"""Appends one Worldgate-vs-twin comparison to the CSV and rewrites the table in the results page.

The table sits between '<!-- twin:begin -->' and '<!-- twin:end -->' in the markdown file and
lists every row of the CSV. 'speed' is the twin's s/update over Worldgate's: above 1, Worldgate is
faster; 'CPU' the same for the CPU time of the training thread (what the update computes, whatever
else the machine runs; valid with one libtorch thread); 'memory' is Worldgate's peak RSS over the
twin's.
"""
import argparse
import csv
import json
import os
import re

PHASES = ("model", "imagine", "actor", "critic")
FIELDS = ["label", "load1", "preset", "batch", "length", "threads", "updates", "system", "s_per_update",
          "model_ms", "imagine_ms", "actor_ms", "critic_ms", "cpu_s_per_update", "cpu_model_ms", "cpu_imagine_ms",
          "cpu_actor_ms", "cpu_critic_ms", "peak_rss_mib", "speed_vs_twin", "cpu_speed_vs_twin", "memory_vs_twin"]


def row(common, r, **extra):
    out = dict(common, s_per_update=f"{r['s_per_update']:.4f}", cpu_s_per_update=f"{r['cpu_s_per_update']:.4f}",
               peak_rss_mib=f"{r['peak_rss_mib']:.0f}", **extra)
    for k in PHASES:
        out[f"{k}_ms"] = f"{r['phases_ms'].get(k, 0):.1f}"
        out[f"cpu_{k}_ms"] = f"{r['cpu_phases_ms'].get(k, 0):.1f}"
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worldgate", required=True)
    ap.add_argument("--twin", required=True)
    ap.add_argument("--before", help="another build's Worldgate result (row 'worldgate-before')")
    ap.add_argument("--label", required=True)
    ap.add_argument("--load", required=True)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--md", required=True)
    a = ap.parse_args()
    with open(a.worldgate) as f:
        wg = json.load(f)
    with open(a.twin) as f:
        tw = json.load(f)
    speed = tw["s_per_update"] / wg["s_per_update"]
    cpu_speed = tw["cpu_s_per_update"] / wg["cpu_s_per_update"]
    memory = wg["peak_rss_mib"] / tw["peak_rss_mib"]
    common = dict(label=a.label, load1=a.load, preset=wg["preset"], batch=wg["batch"], length=wg["length"],
                  threads=wg["threads"], updates=wg["updates"])
    rows = [row(common, wg, system="worldgate", speed_vs_twin=f"{speed:.3f}", cpu_speed_vs_twin=f"{cpu_speed:.3f}",
                memory_vs_twin=f"{memory:.3f}"),
            row(common, tw, system="torch-twin", speed_vs_twin="1", cpu_speed_vs_twin="1", memory_vs_twin="1")]
    if a.before:
        with open(a.before) as f:
            bf = json.load(f)
        rows.insert(0, row(common, bf, system="worldgate-before",
                           speed_vs_twin=f"{tw['s_per_update'] / bf['s_per_update']:.3f}",
                           cpu_speed_vs_twin=f"{tw['cpu_s_per_update'] / bf['cpu_s_per_update']:.3f}",
                           memory_vs_twin=f"{bf['peak_rss_mib'] / tw['peak_rss_mib']:.3f}"))
    new = not os.path.exists(a.csv)
    with open(a.csv, "a", newline="") as f:
        w = csv.DictWriter(f, FIELDS)
        if new:
            w.writeheader()
        w.writerows(rows)
    print(f"{wg['preset']}: Worldgate {wg['s_per_update']:.3f} s/update ({wg['cpu_s_per_update']:.3f} s CPU), twin "
          f"{tw['s_per_update']:.3f} ({tw['cpu_s_per_update']:.3f} s CPU): Worldgate at {speed:.2f}x the twin's "
          f"updates/s ({cpu_speed:.2f}x by CPU time), {memory:.2f}x its peak RSS")
    render(a.csv, a.md)


def render(csv_path, md_path):
    """Rewrites the table between the twin markers of md_path from every row of csv_path."""
    with open(csv_path) as f:
        allrows = list(csv.DictReader(f))
    lines = ["| run (load avg) | preset | batch | system | s/update (CPU s) | model ms (CPU) | imagine | actor | critic "
             "| peak RSS | speed / twin's (by CPU) | RSS / twin's |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in allrows:
        ms = [f"{float(r[k + '_ms']):.0f} ({float(r['cpu_' + k + '_ms']):.0f})" for k in PHASES]
        ratio = [f"**{float(r['speed_vs_twin']):.2f}x** ({float(r['cpu_speed_vs_twin']):.2f}x)",
                 f"{float(r['memory_vs_twin']):.2f}x"] if r["system"] != "torch-twin" else ["", ""]
        lines.append(f"| {r['label']} ({r['load1']}) | `{r['preset']}` | {r['batch']}x{r['length']} | {r['system']} "
                     f"| {float(r['s_per_update']):.3f} ({float(r['cpu_s_per_update']):.3f}) | {' | '.join(ms)} "
                     f"| {float(r['peak_rss_mib']):.0f} MiB | {' | '.join(ratio)} |")
    with open(md_path) as f:
        text = f.read()
    table = "<!-- twin:begin -->\n" + "\n".join(lines) + "\n<!-- twin:end -->"
    if "<!-- twin:begin -->" in text:
        text = re.sub(r"<!-- twin:begin -->.*?<!-- twin:end -->", lambda _: table, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + table + "\n"
    with open(md_path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
