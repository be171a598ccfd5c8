"""The registry of personal data: for every table, what /forget does and what /mydata exports.

Every table that can hold a person's Telegram id or their own words is declared here, in one
place, with `declare(...)`; a table that holds neither is declared `not_personal(...)` with the
reason. `PrivacyService` (bot/services/privacy.py) carries out /forget and /mydata from these
declarations only, and tests/unit/test_personal_data_registry.py walks `SQLModel.metadata` and
fails for any table or column that could hold an id or free text and is not declared here, so a
new feature cannot forget it. docs/privacy.md says the same in plain words for HEC's data
protection officer; keep the two in step.

Adding a table: one `declare(...)` (or `not_personal(...)`) call below, next to its neighbours.

Words:
- `owner`: the columns naming the person a row is *about* (the learner who asked, answered,
  saved). /forget applies `forget` to the rows whose owner column holds the person's id, and
  /mydata exports those rows.
- `actors`: columns naming someone who *acted* on a row that is about something else (the focal
  person who answered a ticket, the admin who made a survey). /forget sets them to NULL: the fact
  stays, the person does not.
- `text`: the owner's own words in an owned row. Anonymising blanks them.
- `pseudonymise`: owner columns that get a salted hash of the id instead of NULL, where a link
  must stay (an invitation keeps a wave answered once even if the person comes back).
- `custom`: a step PrivacyService carries out beyond the columns (named, so a test can check it
  has an implementation), e.g. deleting the free-text answers of a survey response.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Forget(StrEnum):
    DELETE = "delete"  # the owned rows are deleted
    ANONYMISE = "anonymise"  # owned rows stay, without id and without free text


@dataclass(frozen=True)
class PersonalTable:
    """What one table holds about people and what happens to it."""

    table: str
    forget: Forget
    owner: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    pseudonymise: tuple[str, ...] = ()
    # Columns of owned rows that /mydata exports, under `export_as`; () exports nothing.
    export: tuple[str, ...] = ()
    export_as: str = ""
    # Columns that look like an id or free text but are neither (message ids, staff notices).
    not_personal: tuple[str, ...] = ()
    # Columns holding the id inside a longer string (a storage key); a `custom` step removes them.
    keyed_by: tuple[str, ...] = ()
    custom: tuple[str, ...] = ()
    kept: str = ""  # for docs/privacy.md and reviewers: what stays after /forget, and why

    def __post_init__(self) -> None:
        unknown = set(self.pseudonymise) - set(self.owner)
        if unknown:
            raise ValueError(f"{self.table}: pseudonymised columns {unknown} are not owner columns")
        if self.keyed_by and not self.custom:
            raise ValueError(f"{self.table}: columns keyed by the id need a custom step")
        if self.export and not self.export_as:
            raise ValueError(f"{self.table}: exported columns need an export_as section name")


REGISTRY: dict[str, PersonalTable] = {}
NOT_PERSONAL: dict[str, str] = {}


def declare(entry: PersonalTable) -> PersonalTable:
    """Register what /forget and /mydata do with one table."""
    if entry.table in REGISTRY or entry.table in NOT_PERSONAL:
        raise ValueError(f"table {entry.table} declared twice")
    REGISTRY[entry.table] = entry
    return entry


def not_personal(table: str, reason: str) -> None:
    """Register a table that holds no person's id and no person's words."""
    if table in REGISTRY or table in NOT_PERSONAL:
        raise ValueError(f"table {table} declared twice")
    NOT_PERSONAL[table] = reason


# --- the foundation --------------------------------------------------------------------------

declare(
    PersonalTable(
        table="users",
        forget=Forget.DELETE,
        owner=("id",),
        export=(
            "id",
            "language",
            "role",
            "learner_kind",
            "university_id",
            "created_at",
            "privacy_accepted_at",
            "onboarded_at",
            "surveys_enabled",
        ),
        export_as="profile",
        kept="nothing: the profile row is deleted",
    )
)
declare(
    PersonalTable(
        table="questions",
        forget=Forget.ANONYMISE,
        owner=("user_id",),
        text=("question", "answer"),
        not_personal=("citations", "top_section"),
        export=("created_at", "question", "answer", "abstained", "feedback"),
        export_as="questions",
        kept="that a question was asked, when, its topic and whether it was answered",
    )
)
declare(
    PersonalTable(
        table="fsm_records",
        forget=Forget.DELETE,
        # The key is "fsm:<bot>:<chat>:<user>:...": matched by pattern, not by a column.
        keyed_by=("key",),
        custom=("fsm_records_by_key",),
        text=("data",),
        not_personal=("state",),
        kept="nothing: unfinished conversations are deleted",
    )
)

# --- people: universities, focal persons, tickets, FAQ -----------------------------------------

not_personal("universities", "the public list of HEC-recognised universities")
declare(
    PersonalTable(
        table="dashboard_sign_ins",
        forget=Forget.DELETE,
        owner=("user_id",),
        kept="nothing: a one-time dashboard sign-in link is useless after ten minutes anyway",
    )
)
declare(
    PersonalTable(
        table="focal_invites",
        forget=Forget.ANONYMISE,
        actors=("created_by", "used_by"),
        kept="that an invite was made and used, without who made or used it",
    )
)
declare(
    PersonalTable(
        table="tickets",
        forget=Forget.ANONYMISE,
        owner=("learner_id",),
        actors=("answered_by",),
        text=("question", "bot_answer", "answer", "learner_kind"),
        export=("id", "created_at", "question", "status", "answer", "answered_at", "rating"),
        export_as="tickets",
        # Nobody can answer a forgotten person: their open tickets are deleted.
        custom=("drop_open_tickets",),
        kept="that a question went to a person, when, how fast it was answered, its rating",
    )
)
declare(
    PersonalTable(
        table="faq_entries",
        forget=Forget.ANONYMISE,
        actors=("author_id", "reviewed_by"),
        # A published entry is staff's work, reviewed before publication; its author is dropped.
        not_personal=("question", "answer"),
        kept="the published question and answer, without its author's id",
    )
)

# --- surveys ----------------------------------------------------------------------------------

declare(
    PersonalTable(
        table="survey_versions",
        forget=Forget.ANONYMISE,
        actors=("created_by",),
        not_personal=("source", "title"),
        kept="the survey as HEC wrote it, without its author's id",
    )
)
declare(
    PersonalTable(
        table="survey_waves",
        forget=Forget.ANONYMISE,
        actors=("created_by",),
        not_personal=("audience",),
        kept="who a survey was sent to as a rule (an audience), without the sender's id",
    )
)
declare(
    PersonalTable(
        table="survey_invitations",
        forget=Forget.ANONYMISE,
        owner=("user_id",),
        pseudonymise=("user_id",),
        export=("wave_id", "invited_at", "opened_at", "reminded_at", "completed_at"),
        export_as="survey_invitations",
        kept="that an invitation was sent and answered, under a salted hash so the survey is "
        "not sent to the same person twice",
    )
)
declare(
    PersonalTable(
        table="survey_responses",
        forget=Forget.ANONYMISE,
        owner=("user_id",),
        export=("id", "slug", "wave_id", "language", "started_at", "completed_at"),
        export_as="survey_responses",
        kept="rating and choice answers without any link to the person; written answers are "
        "deleted",
    )
)
declare(
    PersonalTable(
        table="survey_answers",
        forget=Forget.ANONYMISE,
        # Owned through survey_responses.user_id: the written (free-text) answers are deleted
        # before the response loses its link; /mydata exports answers with their response.
        text=("value",),
        custom=("survey_text_answers",),
        kept="rating and choice answers, without any link to the person",
    )
)

# --- broadcasts, webinars, courses ------------------------------------------------------------

declare(
    PersonalTable(
        table="webinars",
        forget=Forget.ANONYMISE,
        actors=("created_by",),
        not_personal=("join_link", "title"),
        kept="the webinar, without the id of who announced it",
    )
)
declare(
    PersonalTable(
        table="broadcasts",
        forget=Forget.ANONYMISE,
        actors=("created_by",),
        not_personal=("text_en", "text_ur", "attachment_path", "audience"),
        kept="the notice as sent to many, without the id of who sent it",
    )
)
declare(
    PersonalTable(
        table="webinar_rsvps",
        forget=Forget.DELETE,
        owner=("user_id",),
        export=("webinar_id", "created_at"),
        export_as="webinar_rsvps",
        kept="nothing: the RSVP is deleted",
    )
)
not_personal("courses", "the public Coursera catalogue")
not_personal("course_vectors", "embeddings of the public catalogue's course texts")
not_personal(
    "course_settings",
    "HEC's tracks YAML and version counters; updated_by names the channel (cli, telegram), "
    "never a person",
)
declare(
    PersonalTable(
        table="course_plan",
        forget=Forget.DELETE,
        owner=("user_id",),
        export=("course_id", "saved_at", "completed_at"),
        export_as="course_plan",
        kept="nothing: the learning plan is deleted",
    )
)

# --- the outbox -------------------------------------------------------------------------------

declare(
    PersonalTable(
        table="delivery_jobs",
        forget=Forget.ANONYMISE,
        actors=("created_by", "status_chat_id"),
        not_personal=("status_message_id", "reference"),
        kept="that a batch of messages was sent and how many arrived, without who sent it",
    )
)
declare(
    PersonalTable(
        table="deliveries",
        forget=Forget.ANONYMISE,
        owner=("chat_id",),
        pseudonymise=("chat_id",),
        text=("payload", "error"),
        not_personal=("telegram_message_id",),
        # Messages not yet sent to the person are cancelled, never sent.
        custom=("cancel_pending_deliveries",),
        kept="that a message of a batch was sent and how it ended, for the batch's counts, "
        "under a salted hash and without the message",
    )
)

# Files the bot wrote for one person, relative to the data dir; "{chat}" is their Telegram id.
# /forget deletes them.
USER_FILES: tuple[str, ...] = ("terminal-files/{chat}", "outgoing-mail/{chat}")

# --- licences ---------------------------------------------------------------------------------

not_personal("licence_intakes", "an application round as HEC wrote it")
declare(
    PersonalTable(
        table="licence_applications",
        forget=Forget.ANONYMISE,
        owner=("user_id",),
        text=("email", "answers", "decision_reason"),
        not_personal=("domains", "tracks"),
        export=(
            "intake_id",
            "status",
            "email",
            "email_verified_at",
            "answers",
            "domains",
            "tracks",
            "submitted_at",
            "decided_at",
            "decision_reason",
        ),
        export_as="licence_applications",
        kept="that an application was made to a round, its status and dates, for the round's "
        "counts; no id, e-mail or answers",
    )
)
declare(
    PersonalTable(
        table="licence_email_codes",
        forget=Forget.DELETE,
        owner=("user_id",),
        text=("email",),
        kept="nothing: e-mail verification codes are deleted",
    )
)
declare(
    PersonalTable(
        table="licence_decisions",
        forget=Forget.ANONYMISE,
        # Owned through licence_applications; who decided is a name string ("cli", "tg:<id>").
        keyed_by=("decided_by",),
        text=("reason",),
        not_personal=("source",),
        custom=("licence_decisions",),
        kept="the decision and its date, for the audit of the round; the reason is removed",
    )
)
not_personal("licence_report_snapshots", "when a Coursera report was imported, and its size")
declare(
    PersonalTable(
        table="licence_membership_rows",
        forget=Forget.ANONYMISE,
        owner=("user_id",),
        text=("email",),
        kept="the membership row of a Coursera report, without id or e-mail, for the counts",
    )
)
declare(
    PersonalTable(
        table="licence_usage_rows",
        forget=Forget.ANONYMISE,
        owner=("user_id",),
        text=("email",),
        not_personal=("course",),
        kept="course progress of a Coursera report, without id or e-mail, for the counts",
    )
)
not_personal("licence_nudge_rules", "a nudge rule as HEC wrote it")
declare(
    PersonalTable(
        table="licence_nudge_assignments",
        forget=Forget.ANONYMISE,
        owner=("user_id",),
        text=("email",),
        export=("rule_id", "group", "assigned_at", "sent_at"),
        export_as="licence_nudges",
        kept="the random group of a nudge experiment, without id or e-mail, so its results "
        "stay true",
    )
)
