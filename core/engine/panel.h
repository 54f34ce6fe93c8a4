/*
 * Judge panels: a pack entry that votes several of the pack's scorers
 * (usually judges on cheaper models) on the same case and reduces their
 * verdicts to one, keeping each judge's score and rationale:
 *
 *   {"use": "panel", "as": "jury", "threshold": 0.5,
 *    "params": {"judges": ["judge_a", "judge_b", "judge_c"],
 *               "reduce": "majority", "pass_at": 0.5}}
 *
 * "judges" names two or more scorers (the pack's own entries by name,
 * with their params, or any plugin scorer with its defaults).  "majority"
 * scores 1 when more than half of the judges that scored gave pass_at or
 * more (default 0.5), else 0; "mean" scores their mean.  A judge's error is
 * the panel's error (an error is never a vote); a judge that skips does not
 * vote, and a panel whose judges all skip skips.  The judges stay in the
 * pack as scorers of their own, so `validate` reports each beside the
 * panel, and the panel's model calls are the judges' own requests: with
 * the project's LLM cache each is made once per trial.  The panel's params (judges, reduce,
 * pass_at) are its fingerprint; a judge's own changes show in the judge's.
 */
#ifndef SK_PANEL_H
#define SK_PANEL_H

#include "engine/engine.h"

extern const sk_engine_ops sk_engine_panel;

#endif
