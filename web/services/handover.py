"""Handing a farm over: an advisor who created a farm invites the farmer to take it over.

The advisor (the farm's owner) gives the farmer's e-mail address; the farmer
gets a link (``/farms/handover/<token>``) that works :data:`INVITATION_DAYS`
days, once, and only for the account with that address (an account of the role
farmer: the farmer signs up first when they have none). Accepting makes the
farmer the farm's owner and gives the advisor an ``AdvisorAccess`` row, so the
advisor keeps seeing and editing the farm until the farmer revokes it on the
farm's access page. Only the SHA-256 of the token is stored
(``FarmInvitation``); a token used by another account, used twice, or expired
finds nothing (404), and the check and the change are one ``UPDATE … WHERE``
in one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext
from sqlalchemy import exists, func, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from web.services.verification import _send, external_url, well_formed
from web.store.crud import normalise_email
from web.store.models import AdvisorAccess, Farm, FarmInvitation, Role, User, utcnow

INVITATION_DAYS = 14
"""How long an invitation's link works [days]."""


class HandoverError(Exception):
    """The invitation cannot be accepted; the message says why, in the reader's language."""


@dataclass(frozen=True)
class OpenInvitation:
    """An invitation that may still be accepted, as its page shows it."""

    farm_id: int
    farm_name: str
    farm_code: str
    advisor_name: str
    email: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_hand_over(user: User, farm: Farm) -> bool:
    """Whether ``user`` may invite a farmer to take ``farm`` over: an advisor who owns it."""
    return user.role == Role.advisor and farm.owner_id == user.id


def invite(*, session: Session, farm: Farm, advisor: User, email: str) -> str:
    """Store an invitation to ``email`` for ``farm`` and mail its link; returns the token."""
    token = secrets.token_urlsafe(32)
    address = normalise_email(email)
    session.add(
        FarmInvitation(
            farm_id=farm.id,
            invited_by_id=advisor.id,
            email=address,
            token_hash=_hash(token),
            expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
        )
    )
    session.commit()
    body = "\n\n".join(
        (
            gettext("Hello,"),
            gettext(
                "%(advisor)s has entered the climate figures of your farm %(farm)s and "
                "invites you to take the farm over in your own account:",
                advisor=advisor.name,
                farm=farm.name or farm.farm_code,
            ),
            external_url("farms.invitation", token=token),
            gettext(
                "The link works once, for %(days)d days. Sign in (or create a farmer account "
                "with this e-mail address first) and accept. %(advisor)s keeps access to the "
                "farm until you revoke it.",
                days=INVITATION_DAYS,
                advisor=advisor.name,
            ),
        )
    )
    _send(to=address, subject=gettext("Take over your farm's climate figures"), body=body + "\n")
    return token


_FARM = aliased(Farm)  # the farm in the condition, apart from the farm a query shows


def _usable(token_hash: str):
    """The conditions of an invitation that may still be accepted (as SQL)."""
    return (
        FarmInvitation.token_hash == token_hash,
        col(FarmInvitation.accepted_at).is_(None),
        col(FarmInvitation.expires_at) > utcnow(),
        # the advisor who invited still owns the farm (not handed over by another link)
        exists().where(
            _FARM.id == FarmInvitation.farm_id, _FARM.owner_id == FarmInvitation.invited_by_id
        ),
    )


def open_invitation(*, session: Session, token: str, user: User) -> OpenInvitation | None:
    """The invitation of ``token`` if ``user`` may accept it now, else None (→ 404)."""
    if not well_formed(token):
        return None
    row = session.execute(
        select(FarmInvitation.farm_id, Farm.name, Farm.farm_code, User.name, FarmInvitation.email)
        .join(Farm, col(Farm.id) == FarmInvitation.farm_id)
        .join(User, col(User.id) == FarmInvitation.invited_by_id)
        .where(*_usable(_hash(token)), FarmInvitation.email == normalise_email(user.email))
    ).first()
    return None if row is None else OpenInvitation(*row)


def accept(*, session: Session, token: str, user: User) -> int | None:
    """``user`` takes the farm over; returns its id, or None when the link is not theirs
    or no longer works (→ 404).

    Raises
    ------
    HandoverError
        The account is not a farmer's, or the farmer already has a farm with the
        same identifier.
    """
    invitation = open_invitation(session=session, token=token, user=user)
    if invitation is None:
        return None
    if user.role != Role.farmer:
        raise HandoverError(
            gettext("Only a farmer's account can take a farm over; this account is not one.")
        )
    taken = session.exec(
        select(Farm.id).where(Farm.owner_id == user.id, Farm.farm_code == invitation.farm_code)
    ).first()
    if taken is not None:
        raise HandoverError(
            gettext(
                "You already have a farm with the identifier %(code)s. Change the identifier "
                "of one of them first.",
                code=invitation.farm_code,
            )
        )
    now = utcnow()
    done = session.execute(
        update(FarmInvitation)
        .where(*_usable(_hash(token)), FarmInvitation.email == normalise_email(user.email))
        .values(accepted_at=now, accepted_by_id=user.id)
        .returning(FarmInvitation.farm_id, FarmInvitation.invited_by_id)
    ).first()
    if done is None:  # used or expired between the look and the change
        session.rollback()
        return None
    farm_id, advisor_id = done
    session.execute(update(Farm).where(col(Farm.id) == farm_id).values(owner_id=user.id))
    if advisor_id is not None and session.get(AdvisorAccess, (farm_id, advisor_id)) is None:
        session.add(AdvisorAccess(farm_id=farm_id, advisor_id=advisor_id))
    session.commit()
    return int(farm_id)


def pending_count(*, session: Session, farm: Farm) -> int:
    """How many invitations of ``farm`` still wait for an answer."""
    stmt = select(func.count()).where(
        FarmInvitation.farm_id == farm.id,
        col(FarmInvitation.accepted_at).is_(None),
        col(FarmInvitation.expires_at) > utcnow(),
    )
    return int(session.execute(stmt).scalar_one())
