"""Who may touch which object: one policy per object type, asked on the server at every press.

`permissions` answers "may this role do this kind of thing (for this university)?"; the policies
here answer "may this person touch *this* webinar, ticket, entry...?", from the object's own
fields (its owner, its university, its audience). Every service method that reads or changes one
of these objects for a caller goes through its policy, so a forged or replayed button carrying
another object's id is refused the same way wherever it arrives (Telegram, CLI, a dashboard).

A refusal raises `NotAllowedError` (the user sees a polite "not allowed") and is logged with the
object, never with the object's content. Objects the caller may not see and objects that do not
exist are refused alike where telling them apart would let ids be probed.

| object | who may touch it |
| --- | --- |
| webinar, its RSVP, its calendar file | HEC admins, its author, the people its notice addressed |
| broadcast | HEC admins and its author (while they may still broadcast) |
| ticket (answer, pass, make an FAQ draft) | HEC admins; the focal person of its university |
| ticket (rate the answer), question (feedback, escalate) | the learner who asked |
| FAQ entry (review, approve, edit, reject, remove) | HEC admins (`MANAGE_KB`) |
| survey invitation (start, answer) | the learner it was sent to, once, while its wave is open |
| course plan entry (list, mark done) | the learner whose plan it is |
"""

from __future__ import annotations

import logging

from bot.errors import NotAllowedError
from bot.logging_setup import logged_user
from bot.services.permissions import Actor, Permission, is_allowed
from bot.storage.models import Role

log = logging.getLogger("hecbot.access")


def _refuse(actor: Actor | None, what: str, object_id: int | None) -> NotAllowedError:
    log.warning(
        "refused %s %s to user %s (role %s, university %s)",
        what,
        object_id,
        logged_user(actor.id if actor else None),
        actor.role if actor else None,
        actor.university_id if actor else None,
    )
    return NotAllowedError(f"{what} {object_id} refused")


def _is_admin(actor: Actor | None) -> bool:
    return actor is not None and Role(actor.role) is Role.ADMIN


class WebinarPolicy:
    """A webinar's link, RSVPs and calendar file are for the people its notice addressed."""

    @staticmethod
    def may_see(actor: Actor | None, *, created_by: int | None, addressed: bool) -> bool:
        if actor is None:
            return False
        return _is_admin(actor) or (actor.id is not None and actor.id == created_by) or addressed

    @classmethod
    def require_see(
        cls, actor: Actor | None, webinar_id: int, *, created_by: int | None, addressed: bool
    ) -> None:
        if not cls.may_see(actor, created_by=created_by, addressed=addressed):
            raise _refuse(actor, "webinar", webinar_id)


class BroadcastPolicy:
    """A broadcast is managed (shown, cancelled) by HEC admins and by its author."""

    @staticmethod
    def may_manage(actor: Actor | None, *, created_by: int | None) -> bool:
        if actor is None:
            return False
        return _is_admin(actor) or (actor.id is not None and actor.id == created_by)


class TicketPolicy:
    """Answerers: admins anywhere, a focal person for their university; the asker rates."""

    @staticmethod
    def may_answer(actor: Actor | None, *, university_id: int | None) -> bool:
        # A ticket of no university (the learner gave none) is the HEC desk's alone.
        return is_allowed(actor, Permission.ANSWER_TICKETS, university_id=university_id)

    @classmethod
    def require_answer(
        cls, actor: Actor | None, ticket_id: int | None, *, university_id: int | None
    ) -> None:
        """`ticket_id` None: the ticket does not exist; refused alike, so ids cannot be probed."""
        if not cls.may_answer(actor, university_id=university_id):
            raise _refuse(actor, "ticket", ticket_id)

    @staticmethod
    def may_rate(actor: Actor | None, *, learner_id: int | None) -> bool:
        return actor is not None and actor.id is not None and actor.id == learner_id


class OwnerPolicy:
    """Questions, survey invitations and course plan entries belong to one learner."""

    @staticmethod
    def owns(actor: Actor | None, owner_id: int | None) -> bool:
        return actor is not None and actor.id is not None and actor.id == owner_id


class SurveyInvitationPolicy:
    """A survey invitation is answered by the learner it was sent to, once, while it is open.

    Survey buttons carry a wave, never a person: the invitation looked up is the presser's own
    in that wave, and a press that finds none (another learner's wave, a wave they were not
    invited to, a forged number) is refused like one for a closed or finished survey: a
    catalogue key saying why, and nothing stored.
    """

    @staticmethod
    def refusal(
        user_id: int,
        wave_id: int,
        *,
        owner_id: int | None,
        completed: bool,
        closed: str | None,
    ) -> str | None:
        """Why `user_id` may not answer this invitation now (a catalogue key), or None."""
        if owner_id is None or owner_id != user_id:
            # The user's salted hash is on the line already (logging_setup); never the raw id.
            log.warning("refused survey wave %s: no invitation of the presser", wave_id)
            return "survey-not-invited"
        if completed:
            return "survey-already-answered"
        return closed


class CoursePlanPolicy:
    """A course plan entry is read and marked done by the learner whose plan it is, only."""

    @staticmethod
    def may_touch(actor: Actor | None, *, owner_id: int | None) -> bool:
        return OwnerPolicy.owns(actor, owner_id)

    @classmethod
    def require_touch(cls, actor: Actor | None, entry_id: int, *, owner_id: int | None) -> None:
        """`owner_id` None: no such entry; refused alike, so entry ids cannot be probed."""
        if not cls.may_touch(actor, owner_id=owner_id):
            raise _refuse(actor, "course plan entry", entry_id)


class FaqPolicy:
    """FAQ entries are reviewed, edited, approved, rejected and removed by HEC admins only."""

    @staticmethod
    def may_review(actor: Actor | None) -> bool:
        return is_allowed(actor, Permission.MANAGE_KB)

    @classmethod
    def require_review(cls, actor: Actor | None, entry_id: int | None = None) -> None:
        if not cls.may_review(actor):
            raise _refuse(actor, "FAQ entry", entry_id)

    @staticmethod
    def require_propose(
        actor: Actor | None, ticket_id: int | None, *, university_id: int | None
    ) -> None:
        """Making a ticket's answer into an FAQ draft: whoever may answer the ticket."""
        TicketPolicy.require_answer(actor, ticket_id, university_id=university_id)
