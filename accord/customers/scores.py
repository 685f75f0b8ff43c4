"""The vocabulary of a contact's value scores.

The scores are computed and stored by ``accord.analytics`` (a layer above); their values are defined here,
beside the contacts, so that contact lists and filters can name them without importing analytics.
"""

from django.db.models import TextChoices


class RfmSegment(TextChoices):
    """The named RFM segments (docs/analytics.md gives the rule of each; the rules are configurable)."""

    CHAMPIONS = "champions", "Champions"
    LOYAL = "loyal", "Loyal"
    POTENTIAL_LOYALIST = "potential_loyalist", "Potential Loyalist"
    NEW = "new", "New"
    PROMISING = "promising", "Promising"
    NEED_ATTENTION = "need_attention", "Need Attention"
    ABOUT_TO_SLEEP = "about_to_sleep", "About to Sleep"
    AT_RISK = "at_risk", "At Risk"
    CANT_LOSE = "cant_lose", "Can't Lose Them"
    HIBERNATING = "hibernating", "Hibernating"
    LOST = "lost", "Lost"


class ChurnRisk(TextChoices):
    """How likely a customer has stopped buying, judged against their own rhythm."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class ValueTier(TextChoices):
    """Profitability (lifetime value less cost to serve) classes; the rule is stored with each run."""

    STRATEGIC = "strategic", "Strategically significant"
    PROFITABLE = "profitable", "Profitable"
    MARGINAL = "marginal", "Marginal"
    UNPROFITABLE = "unprofitable", "Unprofitable"
