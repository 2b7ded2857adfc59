"""LLM judges: judge config files, calibration against human labels, and the records
that say whether a judge may stand in for people.

`load_judge_config` reads a judge file (a `JudgeConfig`: target model, rubric, scale,
pointwise or pairwise); `calibrate` asks the judge about every unit humans rated for one
question of an annotation queue, through the same `llm_judge` / `llm_judge_pairwise`
scorers suites use, and reports agreement (weighted kappa, Spearman, Krippendorff's
alpha with and without the judge), position and length bias and a confusion matrix,
each figure with its interval and n, and a verdict against an adoption threshold. Each
calibration is stored as the judge's next version. `fingerprint_of_scorer` gives a suite
scorer's judge the same fingerprint as its config, so `latest_calibration` finds the
calibration behind any judge a run used.
"""

from honing.judges._asking import JudgingProgress, Verdict
from honing.judges._calibrate import VERDICTS, Calibration, calibrate, decide
from honing.judges._config import (
    JudgeConfig,
    fingerprint_of_scorer,
    judge_config_json_schema,
    load_judge_config,
    parse_judge_config,
)
from honing.judges._figures import Confusion, Figures
from honing.judges._pairwise import human_direction, pairwise_figures
from honing.judges._pointwise import consensus, pointwise_figures
from honing.judges._records import CalibrationRecord, latest_calibration, list_calibrations

__all__ = [
    "VERDICTS",
    "Calibration",
    "CalibrationRecord",
    "Confusion",
    "Figures",
    "JudgeConfig",
    "JudgingProgress",
    "Verdict",
    "calibrate",
    "consensus",
    "decide",
    "fingerprint_of_scorer",
    "human_direction",
    "judge_config_json_schema",
    "latest_calibration",
    "list_calibrations",
    "load_judge_config",
    "pairwise_figures",
    "parse_judge_config",
    "pointwise_figures",
]
