"""The dashboard's forms. Every one carries Flask-WTF's CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from shortener.api.apikeys import MAX_NAME_LENGTH as MAX_API_KEY_NAME_LENGTH
from shortener.api.scopes import SCOPES
from shortener.classify import LINK_CHANNELS
from shortener.dashboard.formatting import channel_label
from shortener.fraud.rules import FLAGS
from shortener.links import rules
from shortener.webhooks.models import EVENT_TYPES
from shortener.webhooks.targets import MAX_URL_LENGTH

MAX_ADVOCATES_PER_MINT = 500
# Every allowed host at its longest, with a separator each.
MAX_ALLOWED_HOSTS_TEXT = rules.MAX_ALLOWED_HOSTS * (rules.MAX_HOST_LENGTH + 3)


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class LogoutForm(FlaskForm):
    """Nothing but the CSRF token: signing out is a POST another site cannot forge."""


class CampaignForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(),
                                           Length(max=rules.MAX_NAME_LENGTH)])
    destination = URLField("Destination URL",
                           validators=[DataRequired(), Length(max=rules.MAX_DESTINATION_LENGTH)],
                           description="Where clicks go, e.g. https://shop.example/spring")
    utm_source = StringField("utm_source", validators=[Optional(),
                                                       Length(max=rules.MAX_UTM_LENGTH)])
    utm_medium = StringField("utm_medium", validators=[Optional(),
                                                       Length(max=rules.MAX_UTM_LENGTH)])
    utm_campaign = StringField("utm_campaign", validators=[Optional(),
                                                           Length(max=rules.MAX_UTM_LENGTH)])
    allowed_hosts = StringField(
        "Allowed destination hosts",
        validators=[Optional(), Length(max=MAX_ALLOWED_HOSTS_TEXT)],
        description="Space- or comma-separated; *.example.com for subdomains. "
                    "Empty allows only the destination's host.")
    cost = DecimalField("Campaign cost",
                        validators=[Optional(), NumberRange(min=0, max=rules.MAX_AMOUNT)],
                        description="For cost per advocate.")
    value_per_click = DecimalField("Value per click",
                                   validators=[Optional(),
                                               NumberRange(min=0, max=rules.MAX_AMOUNT)],
                                   description="What a paid click costs, for earned media "
                                               "value.")
    currency = StringField("Currency", default=rules.DEFAULT_CURRENCY,
                           validators=[DataRequired(), Regexp(rules.anchored(rules.CURRENCY),
                                                              message="Three letters, "
                                                              "e.g. EUR.")])
    reward_goal = IntegerField("Reward goal (conversions)",
                               validators=[Optional(),
                                           NumberRange(min=1, max=rules.MAX_REWARD_GOAL)],
                               description="Shown to advocates as a progress bar.")
    rewards = TextAreaField(
        "Reward tiers", validators=[Optional(), Length(max=4000)],
        description="One per line: conversions, then the reward, e.g. "
                    "\"1, 10 EUR voucher\" and \"3, Free month\".")
    friend_incentive = StringField("What the friend gets",
                                   validators=[Optional(), Length(max=200)],
                                   description="Shown on the share page, e.g. "
                                               "\"Your friend gets 10 % off\".")
    # Fraud review rules (shortener.fraud.rules), each on unless unticked.
    self_referral = BooleanField("Self-referral", default=True,
                                 description="The converting click came from a visitor of "
                                             "the advocate's own share page that day.")
    repeat_visitor = BooleanField("Repeat visitor", default=True,
                                  description="One visitor behind several conversions of "
                                              "the campaign in a day.")
    no_human_click = BooleanField("No human click", default=True,
                                  description="Reported by advocate, whose links never had "
                                              "a human click.")
    burst = BooleanField("Click burst", default=True,
                         description="The visitor clicked the link more than "
                                     "FRAUD_BURST_CLICKS times in one hour.")

    def fraud_rules(self) -> dict[str, bool]:
        return {name: bool(getattr(self, name).data) for name in FLAGS}


class ConversionReviewForm(FlaskForm):
    """Accept or reject one conversion; the CSRF token makes it a POST only this site sends."""

    status = StringField("Status", validators=[DataRequired(), Length(max=20)])


class RewardReviewForm(FlaskForm):
    """One reward's next status; the CSRF token makes it a POST only this site can send."""

    status = StringField("Status", validators=[DataRequired(), Length(max=20)])


class MintForm(FlaskForm):
    advocates = TextAreaField(
        "Advocate ids", validators=[DataRequired(), Length(max=100_000)],
        description="One external id per line (or separated by commas or spaces), "
                    f"up to {MAX_ADVOCATES_PER_MINT}.")
    channel = SelectField(
        "Channel tag", default="",
        choices=[SelectChoice("", "None: the share page tags each channel")]
        + [SelectChoice(channel, channel_label(channel)) for channel in LINK_CHANNELS],
    )


def split_ids(text: str) -> list[str]:
    """The pasted ids, in order, without blanks or repeats."""
    seen: dict[str, None] = {}
    for part in text.replace(",", " ").replace(";", " ").split():
        seen.setdefault(part.strip(), None)
    return list(seen)


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired(), Length(max=1024)])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=1024)],
                                 description="At least 12 characters.")
    confirm_password = PasswordField("New password again",
                                     validators=[DataRequired(), EqualTo(
                                         "new_password", "The two new passwords differ.")])


ROLE_CHOICES = [SelectChoice("viewer", "Viewer: figures only"),
                SelectChoice("editor", "Editor: campaigns, links, advocates"),
                SelectChoice("admin", "Admin: everything, users included")]


class UserForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", default="viewer", choices=ROLE_CHOICES)


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class DeleteForm(FlaskForm):
    """Nothing but the CSRF token."""


class LinkLimitsForm(FlaskForm):
    expires_on = DateField("Expires after (UTC day)", validators=[Optional()],
                           description="Empty: never expires.")
    max_clicks = IntegerField("Max human clicks", validators=[Optional(), NumberRange(min=1)],
                              description="Empty: no limit. Previews and bots never count.")


class ToggleForm(FlaskForm):
    """Nothing but the CSRF token: enabling or disabling is a POST."""


class WebhookForm(FlaskForm):
    """A new subscription; the domain checks the URL and the events (webhooks.subscriptions)."""

    url = URLField("Receiver URL", validators=[DataRequired(), Length(max=MAX_URL_LENGTH)],
                   description="Where events are POSTed: http(s), on a public address.")
    events = SelectMultipleField(
        "Events", choices=[SelectChoice(event, event) for event in EVENT_TYPES],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        validators=[DataRequired(message="Choose at least one event.")],
        description="click is every counted click: the high-volume one.")
    campaigns = SelectMultipleField(
        "Only these campaigns", choices=[], validators=[Optional()],
        description="None chosen: every campaign's events.")


class ApiKeyForm(FlaskForm):
    """A new API key; the domain checks the name and the scopes (api.apikeys)."""

    name = StringField("Name", validators=[DataRequired(),
                                           Length(max=MAX_API_KEY_NAME_LENGTH)],
                       description="Who or what uses the key, e.g. the shop's CRM.")
    scopes = SelectMultipleField(
        "Scopes", choices=[SelectChoice(scope, scope) for scope in SCOPES],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        validators=[Optional()],
        description="None chosen: full access. Only :read scopes: a read-only key.")
    campaigns = SelectMultipleField(
        "Only these campaigns", choices=[], validators=[Optional()],
        description="None chosen: every campaign.")
