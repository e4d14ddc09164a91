"""The traffic simulator: a deterministic stream of corridor events (traffic.py), its knobs
(config.py) and the calibration of passengers leaving the train at Kena (calibration.py)."""

from transitguard.adapters.sim.calibration import expected_alightings
from transitguard.adapters.sim.config import SimConfig
from transitguard.adapters.sim.output import write_simulation
from transitguard.adapters.sim.traffic import simulate

__all__ = ["SimConfig", "expected_alightings", "simulate", "write_simulation"]
