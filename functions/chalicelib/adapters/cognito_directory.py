"""The staff directory on a Cognito user pool: groups are the roles, custom:unit is the unit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..domain.accounts import Account, AccountChange, AccountChangeFailed, AccountCreationFailed, Directory
from ..domain.errors import Conflict, FieldProblem, InvalidInput, NotFound
from ..names import STAFF_ROLES, UNIT_ATTRIBUTE
from ..observability import logger

UNIT = f"custom:{UNIT_ATTRIBUTE}"
# What Cognito (InvalidParameterException) and moto (InvalidToken) answer to a token that is not one.
BAD_CURSOR = ("InvalidParameterException", "InvalidToken", "ResourceNotFoundException")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _code_of(error: Exception) -> str:
    return _code(error) if isinstance(error, ClientError) else type(error).__name__


@dataclass(frozen=True)
class Step:
    """One directory call of a change, and the call that undoes it."""

    name: str
    do: Callable[[], Any]
    undo: Callable[[], Any]


class CognitoDirectory(Directory):
    def __init__(self, client: Any, pool_id: str) -> None:
        self._idp = client
        self._pool = pool_id

    def _groups(self, username: str) -> list[str]:
        found = self._idp.admin_list_groups_for_user(UserPoolId=self._pool, Username=username, Limit=60)
        names = {g["GroupName"] for g in found.get("Groups", [])}
        return [role for role in STAFF_ROLES if role in names]

    def _account(self, user: dict[str, Any], attributes: list[dict[str, str]]) -> Account:
        values = {a["Name"]: a["Value"] for a in attributes}
        username = str(user["Username"])
        return Account(
            username=username,
            email=values.get("email") or None,
            roles=self._groups(username),
            unit=values.get(UNIT) or None,
            enabled=bool(user.get("Enabled", True)),
            status=str(user.get("UserStatus", "UNKNOWN")),
            created_at=user.get("UserCreateDate"),
        )

    def accounts(
        self, role: str | None, prefix: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Account], str | None]:
        try:
            if role:
                page = self._idp.list_users_in_group(
                    UserPoolId=self._pool,
                    GroupName=role,
                    Limit=limit,
                    **({"NextToken": cursor} if cursor else {}),
                )
                after = page.get("NextToken")
            else:
                kwargs: dict[str, Any] = {"UserPoolId": self._pool, "Limit": limit}
                if prefix:
                    kwargs["Filter"] = f'username ^= "{prefix}"'
                if cursor:
                    kwargs["PaginationToken"] = cursor
                page = self._idp.list_users(**kwargs)
                after = page.get("PaginationToken")
        except ClientError as error:
            if _code(error) in BAD_CURSOR:
                raise InvalidInput(
                    "The cursor is not valid.", [FieldProblem("cursor", "not a cursor of this list")]
                ) from error
            raise
        users = page.get("Users", [])
        if role and prefix:
            users = [u for u in users if str(u["Username"]).startswith(prefix)]
        return [self._account(u, u.get("Attributes", [])) for u in users], after or None

    def account(self, username: str) -> Account | None:
        try:
            user = self._idp.admin_get_user(UserPoolId=self._pool, Username=username)
        except ClientError as error:
            if _code(error) == "UserNotFoundException":
                return None
            raise
        return self._account(user, user.get("UserAttributes", []))

    def create(
        self, username: str, email: str | None, roles: list[str], unit: str | None, password: str
    ) -> Account:
        attributes = (
            [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}] if email else []
        )
        if unit:
            attributes.append({"Name": UNIT, "Value": unit})
        try:
            self._idp.admin_create_user(
                UserPoolId=self._pool,
                Username=username,
                UserAttributes=attributes,
                TemporaryPassword=password,
                MessageAction="SUPPRESS",  # the administrator hands the temporary password over
            )
        except ClientError as error:
            if _code(error) == "UsernameExistsException":
                raise Conflict(f"There is an account {username} already.", "user_exists") from error
            raise
        added: list[str] = []
        for role in roles:
            try:
                self._idp.admin_add_user_to_group(UserPoolId=self._pool, Username=username, GroupName=role)
            except (ClientError, BotoCoreError) as error:
                logger.warning("directory change failed", step=f"add {role}", error=_code_of(error))
                raise AccountCreationFailed(username, f"add {role}", self._secure(username, added)) from error
            added.append(role)
        found = self.account(username)
        if found is None:
            raise NotFound(f"No account {username}.")
        return found

    def _secure(self, username: str, roles: list[str]) -> bool:
        """A new account whose roles could not all be given: disabled, without the roles it got.
        (The staff functions may not delete accounts.) False when the directory fails again."""
        user = {"UserPoolId": self._pool, "Username": username}
        try:
            self._idp.admin_disable_user(**user)
            for role in roles:
                self._idp.admin_remove_user_from_group(**user, GroupName=role)
        except (ClientError, BotoCoreError) as error:
            logger.error("new account not secured", error=_code_of(error))
            return False
        return True

    def update(self, change: AccountChange) -> Account:
        """Apply the change step by step; when a call fails, undo the steps done, newest first, and
        raise AccountChangeFailed (the account as it was, or, if undoing failed too, part-changed)."""
        done: list[Step] = []
        for step in self._steps(change):
            try:
                step.do()
            except (ClientError, BotoCoreError) as error:
                logger.warning("directory change failed", step=step.name, error=_code_of(error))
                raise AccountChangeFailed(change.username, step.name, self._undo(done)) from error
            done.append(step)
        found = self.account(change.username)
        if found is None:
            raise NotFound(f"No account {change.username}.")
        return found

    def _undo(self, done: list[Step]) -> bool:
        """Undo the steps done, newest first; False when one of them cannot be undone."""
        for step in reversed(done):
            try:
                step.undo()
            except (ClientError, BotoCoreError) as error:
                logger.error("directory change not undone", step=step.name, error=_code_of(error))
                return False
        return True

    def _steps(self, change: AccountChange) -> list[Step]:
        """The calls a change takes, each with its opposite. Disabling goes first and enabling last,
        so an account being locked out holds no new power at any point, nor one being let in before
        its roles are right; ending the sessions is last and needs no undoing."""
        user = {"UserPoolId": self._pool, "Username": change.username}
        idp = self._idp

        def group(add: bool, role: str) -> Callable[[], None]:
            call = idp.admin_add_user_to_group if add else idp.admin_remove_user_from_group
            return lambda: call(**user, GroupName=role)

        def unit(value: str | None) -> Callable[[], None]:
            if value:
                return lambda: idp.admin_update_user_attributes(
                    **user, UserAttributes=[{"Name": UNIT, "Value": value}]
                )
            return lambda: idp.admin_delete_user_attributes(**user, UserAttributeNames=[UNIT])

        def enabled(value: bool) -> Callable[[], None]:
            return lambda: (idp.admin_enable_user if value else idp.admin_disable_user)(**user)

        steps: list[Step] = []
        if change.enabled_changed and not change.enabled:
            steps.append(Step("disable", enabled(False), enabled(True)))
        steps += [Step(f"add {r}", group(True, r), group(False, r)) for r in change.added]
        steps += [Step(f"remove {r}", group(False, r), group(True, r)) for r in change.removed]
        if change.unit_changed:
            steps.append(Step("unit", unit(change.unit), unit(change.before.unit)))
        if change.enabled_changed and change.enabled:
            steps.append(Step("enable", enabled(True), enabled(False)))
        if change.ends_sessions:
            steps.append(Step("sign out", lambda: idp.admin_user_global_sign_out(**user), lambda: None))
        return steps

    def reset_password(self, username: str, password: str) -> None:
        try:
            self._idp.admin_set_user_password(
                UserPoolId=self._pool, Username=username, Password=password, Permanent=False
            )
        except (ClientError, BotoCoreError) as error:
            if isinstance(error, ClientError) and _code(error) == "UserNotFoundException":
                raise NotFound(f"No account {username}.") from error
            logger.warning("directory change failed", step="password", error=_code_of(error))
            # One call: when it fails, the password is the one it was.
            raise AccountChangeFailed(username, "password", restored=True) from error
        try:
            # A new password ends the sessions started with the old one. Should this fail, the
            # account's tokens are refused anyway (the revocation record the caller writes).
            self._idp.admin_user_global_sign_out(UserPoolId=self._pool, Username=username)
        except (ClientError, BotoCoreError) as error:
            logger.warning("sessions not ended after a new password", error=_code_of(error))
