"""Staff sign-in: a Cognito user pool whose groups are the roles and whose custom:unit is the unit."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from .nag import acknowledge
from .project import names


class StaffAuth(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=False,  # staff accounts are created by an administrator
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=False, mutable=True),
            ),
            custom_attributes={
                names.UNIT_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=64, mutable=True),
            },
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.user_pool,
            (
                "AwsSolutions-COG2",
                "MFA is optional (TOTP): the staff portal signs in with username and "
                "password; each deployment can switch it to required in the console.",
            ),
            *(
                (
                    rule,
                    "Threat protection needs the Plus feature plan (billed per active user); there is no "
                    "self sign-up, staff accounts are created by an administrator.",
                )
                for rule in ("AwsSolutions-COG3", "AwsSolutions-COG8")
            ),
        )

        # The portal signs in without a hosted UI. A staff member must not be able to change the
        # unit that scopes what they see, so the client writes only contact attributes.
        self.client = self.user_pool.add_client(
            "StaffPortal",
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            generate_secret=False,
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(7),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(email=True, fullname=True),
        )

        self.groups = {
            role: cognito.UserPoolGroup(
                self, f"Group-{role}", user_pool=self.user_pool, group_name=role, precedence=precedence
            )
            for precedence, role in enumerate(names.STAFF_ROLES)
        }

    @property
    def issuer(self) -> str:
        region = Stack.of(self).region
        return f"https://cognito-idp.{region}.amazonaws.com/{self.user_pool.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"
