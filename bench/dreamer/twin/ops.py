"""Self time per operator from Chrome traces of libtorch's profiler, Worldgate's and the twin's.

  python ops.py TRACE.json [--phase model] [--top 25]

Worldgate's traces (DreamerSpeedBench --profile-dir) hold one phase each; the twin's
(dreamer_twin.py --trace) the whole update, with the phases marked by 'phase:<name>' ranges, which
--phase selects. Self time is an event's duration minus that of the events nested in it on the same
thread, so that the column adds up to the phase's time in operators.
"""
import argparse
import collections
import json


def events(path):
    with open(path) as f:
        data = json.load(f)
    evs = data["traceEvents"] if isinstance(data, dict) else data
    return [e for e in evs if e.get("ph") == "X" and "dur" in e]


def self_times(evs, phase=None):
    if phase:
        spans = [(float(e["ts"]), float(e["ts"]) + float(e["dur"])) for e in evs if e["name"] == "phase:" + phase]
        evs = [e for e in evs if any(a <= float(e["ts"]) < b for a, b in spans) and not e["name"].startswith("phase:")]
    by_tid = collections.defaultdict(list)
    for e in evs:
        by_tid[e.get("tid")].append(e)
    total = collections.Counter()
    calls = collections.Counter()
    for tid_evs in by_tid.values():
        tid_evs.sort(key=lambda e: (float(e["ts"]), -float(e["dur"])))
        stack = []  # [end, name, child time]
        for e in tid_evs:
            ts, dur = float(e["ts"]), float(e["dur"])
            while stack and stack[-1][0] <= ts:
                end, name, child, d = stack.pop()
                total[name] += d - child
            if stack:
                stack[-1][2] += dur
            stack.append([ts + dur, e["name"], 0.0, dur])
            calls[e["name"]] += 1
        while stack:
            end, name, child, d = stack.pop()
            total[name] += d - child
    return total, calls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--phase")
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args()
    total, calls = self_times(events(a.trace), a.phase)
    all_us = sum(total.values())
    print(f"{'operator':58s} {'calls':>7s} {'self ms':>10s} {'%':>6s}")
    for name, us in total.most_common(a.top):
        print(f"{name[:58]:58s} {calls[name]:7d} {us / 1e3:10.1f} {100 * us / all_us:6.1f}")
    print(f"{'all operators':58s} {sum(calls.values()):7d} {all_us / 1e3:10.1f}")


if __name__ == "__main__":
    main()
