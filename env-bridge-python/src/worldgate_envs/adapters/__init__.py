"""Simulator adapters. Each module imports its simulator lazily."""

from worldgate_envs.adapters.base import Env, Info, Obs, StepTuple

__all__ = ["Env", "Info", "Obs", "StepTuple"]
