"""Realistic, seeded demo data for the "helpdesk-assistant" workspace.

`generate_items` yields IT-helpdesk assistant conversations with tool traces, retrieved
knowledge-base passages, two candidate responses (v1/v2) with known injected flaws, and
some personal data, all deterministic for a given seed. `build_demo` puts them, with demo
users, a worked annotation queue, end users' feedback signals and a labelled review of a
sample drawn by thumbs-down (`_production`), into a database.
"""

from honing.demo._build import DEMO_USERS, DemoResult, build_demo
from honing.demo._generator import DEMO_DATASET_SIZE, generate_items

__all__ = ["DEMO_DATASET_SIZE", "DEMO_USERS", "DemoResult", "build_demo", "generate_items"]
