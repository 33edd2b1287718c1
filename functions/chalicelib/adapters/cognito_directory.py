"""The staff directory on a Cognito user pool: groups are the roles, custom:unit is the unit."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ..domain.accounts import Account
from ..domain.errors import Conflict, FieldProblem, InvalidInput, NotFound
from ..domain.ports import Directory
from ..names import STAFF_ROLES, UNIT_ATTRIBUTE

UNIT = f"custom:{UNIT_ATTRIBUTE}"


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


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
            if _code(error) in ("InvalidParameterException", "ResourceNotFoundException"):
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
        for role in roles:
            self._idp.admin_add_user_to_group(UserPoolId=self._pool, Username=username, GroupName=role)
        found = self.account(username)
        assert found is not None
        return found

    def update(self, username: str, roles: list[str], unit: str | None, enabled: bool) -> Account:
        current = self.account(username)
        if current is None:
            raise NotFound(f"No account {username}.")
        for role in set(roles) - set(current.roles):
            self._idp.admin_add_user_to_group(UserPoolId=self._pool, Username=username, GroupName=role)
        for role in set(current.roles) - set(roles):
            self._idp.admin_remove_user_from_group(UserPoolId=self._pool, Username=username, GroupName=role)
        if unit != current.unit:
            if unit:
                self._idp.admin_update_user_attributes(
                    UserPoolId=self._pool, Username=username, UserAttributes=[{"Name": UNIT, "Value": unit}]
                )
            else:
                self._idp.admin_delete_user_attributes(
                    UserPoolId=self._pool, Username=username, UserAttributeNames=[UNIT]
                )
        if enabled != current.enabled:
            if enabled:
                self._idp.admin_enable_user(UserPoolId=self._pool, Username=username)
            else:
                self._idp.admin_disable_user(UserPoolId=self._pool, Username=username)
        if roles != current.roles or unit != current.unit or not enabled:
            # New roles or unit take effect with the next token: end the sessions holding the old ones.
            self._idp.admin_user_global_sign_out(UserPoolId=self._pool, Username=username)
        found = self.account(username)
        assert found is not None
        return found

    def reset_password(self, username: str, password: str) -> None:
        try:
            self._idp.admin_set_user_password(
                UserPoolId=self._pool, Username=username, Password=password, Permanent=False
            )
            # A new password ends the sessions started with the old one.
            self._idp.admin_user_global_sign_out(UserPoolId=self._pool, Username=username)
        except ClientError as error:
            if _code(error) == "UserNotFoundException":
                raise NotFound(f"No account {username}.") from error
            raise
