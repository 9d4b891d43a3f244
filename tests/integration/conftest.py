"""Integration fixtures live in tests/conftest.py; the simulator helpers in tests/sim_support.py
(re-exported here for older imports)."""

from tests.sim_support import SIM_KEYS, add_sim_providers, set_chain  # noqa: F401
