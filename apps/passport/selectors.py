from apps.mobility.steps import NextStep


def next_steps(*, participant, mobilities) -> dict[int, list[NextStep]]:
    """What the participant has to do next here, per mobility id (see apps/mobility/steps.py)."""
    return {}
