"""A social worker allocates one family's budget and explains it.

Run: python examples/one_family.py

A child with a functional impairment (FT), 3 years old, in Dobele; the assessment team's list
in priority order and the parents' own order; 1,800 EUR for a 26-week period; the family can
give 6 hours a week to sessions.
"""

from __future__ import annotations

import ibm_engine as ibm


def main() -> None:
    plan = ibm.Plan(
        participant=ibm.Participant(
            participant_id="FT-0001",
            target_group="FT",
            age=3,
            municipality="Dobele",
            budget_eur=1800,
            family_hours_per_week=6,
        ),
        items=(
            ibm.PlanItem(service="physiotherapy", team_rank=1, family_rank=2, recommended_units=24),
            ibm.PlanItem(
                service="speech_therapy", team_rank=2, family_rank=1, recommended_units=20
            ),
            ibm.PlanItem(
                service="child_social_care", team_rank=3, family_rank=3, recommended_units=300
            ),
            ibm.PlanItem(service="respite_care", team_rank=4, family_rank=4, recommended_units=20),
            ibm.PlanItem(
                service="music_therapy",
                team_rank=5,
                family_rank=5,
                recommended_units=12,
                min_units=6,
            ),
        ),
    )
    participants, plan_items = plan.to_frames()
    result = ibm.allocate(participants, plan_items, ibm.default_catalogue())
    print(result.explain_text("FT-0001"))
    print()
    print(result.explain_text("FT-0001", language="lv"))
    single = ibm.allocate_plan(plan, ibm.default_catalogue())
    print()
    print(single.model_dump_json(indent=2)[:400], "...")


if __name__ == "__main__":
    main()
