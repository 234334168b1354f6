"""The ACLED taxonomy, defined once: every stage, the coder and the scorers import it."""

from __future__ import annotations

#: ACLED event types and their sub-event types, in the codebook's order.
ACLED_TAXONOMY: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}

#: The class of a text that reports no political-violence or demonstration event.
NONE = "none"
#: Every class of the sub-type head: "Type/Sub-event type" strings, then NONE.
SUBTYPES: tuple[str, ...] = (
    *(f"{t}/{s}" for t, subs in ACLED_TAXONOMY.items() for s in subs),
    NONE,
)
