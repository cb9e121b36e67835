"""Tests of export_curve.py (standard library only): python3 -m unittest bench/learning/test_export_curve.py"""
from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "export_curve.py"


class ExportCurveTest(unittest.TestCase):
    def test_an_evaluation_without_episodes_is_exported_as_nan(self) -> None:
        # the gateway writes a NaN scalar as the JSON string "NaN" (an evaluation cut short by a stop)
        with tempfile.TemporaryDirectory() as tmp:
            run = Path(tmp) / "run"
            run.mkdir()
            rows = [{"step": 0, "wall_time": 1000.0, "tag": "episode/return", "value": 3.0},
                    {"step": 150, "wall_time": 1360.0, "tag": "eval/return", "value": "NaN"},
                    {"step": 300, "wall_time": 1720.0, "tag": "eval/return", "value": 21.86}]
            (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
            subprocess.run([sys.executable, str(SCRIPT), str(run), str(Path(tmp) / "out"), "--action-repeat", "2"],
                           check=True, capture_output=True)
            with (Path(tmp) / "out.csv").open() as f:
                exported = list(csv.DictReader(f))
            self.assertEqual([r["env_steps"] for r in exported], ["300", "600"])
            self.assertTrue(math.isnan(float(exported[0]["eval_return"])))
            self.assertEqual(float(exported[1]["eval_return"]), 21.9)
            self.assertEqual(float(exported[1]["wall_hours"]), 0.2)

    def test_a_success_rate_goes_to_its_evaluations_row(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            run = Path(tmp) / "run"
            run.mkdir()
            rows = [{"step": 100, "wall_time": 1000.0, "tag": "eval/return", "value": 5.0},
                    {"step": 100, "wall_time": 1000.0, "tag": "eval/success", "value": 0.4},
                    {"step": 200, "wall_time": 1360.0, "tag": "eval/return", "value": "NaN"},
                    {"step": 300, "wall_time": 1720.0, "tag": "eval/return", "value": 9.0},
                    {"step": 300, "wall_time": 1720.0, "tag": "eval/success", "value": 0.8}]
            (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
            subprocess.run([sys.executable, str(SCRIPT), str(run), str(Path(tmp) / "out")], check=True,
                           capture_output=True)
            with (Path(tmp) / "out.csv").open() as f:
                exported = list(csv.DictReader(f))
            self.assertEqual([r["agent_step"] for r in exported], ["100", "200", "300"])
            # an evaluation cut short by a stop has no success rate: its cell stays empty
            self.assertEqual([r["eval_success"] for r in exported], ["0.4", "", "0.8"])


if __name__ == "__main__":
    unittest.main()
