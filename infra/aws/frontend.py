"""The public form and the staff portal: the built frontend (frontend/dist, `make frontend`) in a
private bucket, served by CloudFront with the security headers the local server sends
(infra/pages.py), and a config.json written from the stack's own values.

The API keeps its own address (execute-api): partners and Open311 clients call it there, and the
WAF on its stage counts requests per client address, which it could not do behind CloudFront (it
would see CloudFront's addresses). The pages name that address in their CSP (connect-src)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.pages import HSTS_SECONDS, content_security_policy

from .nag import acknowledge, logical_id

# index.html and config.json are looked at on every visit; Vite's hashed assets never change.
NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
# Both deployments share one function (CDK makes one per memory size); the assets are a few MB.
DEPLOYMENT_MEMORY_MB = 512
DEPLOYMENT_FUNCTION = "Custom::CDKBucketDeployment"
ENTRY_FILES = ("index.html", "config.json")
# Vite's build manifest is for the page-weight benchmark, not for browsers.
NOT_SERVED = (".vite",)
# Paths the app's router owns (/staff/inbox, /track/…) reach S3 as missing keys: S3 answers 403
# to CloudFront's origin access control (it may not list the bucket), so both become the app.
SPA_FALLBACK_STATUSES = (403, 404)


@dataclass(frozen=True)
class CustomDomain:
    """A name of the city's own for the pages, with its ACM certificate (in us-east-1)."""

    name: str
    certificate_arn: str


@dataclass(frozen=True)
class FrontendConfig:
    """What the pages need to find the API and sign staff in (API.md, config.json)."""

    api_url: str
    region: str
    user_pool_id: str
    user_pool_client_id: str
    stage: str

    def json(self) -> dict[str, object]:
        """config.json. `cognitoEndpoint` is left out (CDK drops a null): the portal then signs in
        at the region's own Cognito endpoint, as it does for null."""
        return {
            "apiUrl": self.api_url,
            "region": self.region,
            "userPoolId": self.user_pool_id,
            "userPoolClientId": self.user_pool_client_id,
            "stage": self.stage,
            "timeScale": 1,
        }


def cognito_origin(stack: Stack) -> str:
    return f"https://cognito-idp.{stack.region}.{stack.url_suffix}"


def bucket_origins(stack: Stack, bucket: s3.IBucket) -> tuple[str, str]:
    """Both names a presigned URL of `bucket` may carry (global and regional virtual-host style)."""
    return (
        f"https://{bucket.bucket_name}.s3.{stack.url_suffix}",
        f"https://{bucket.bucket_name}.s3.{stack.region}.{stack.url_suffix}",
    )


class Frontend(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        dist: Path,
        config: FrontendConfig,
        api_origin: str,
        attachments: s3.IBucket,
        domain: CustomDomain | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if not (dist / "index.html").is_file():
            raise FileNotFoundError(f"{dist}/index.html does not exist: run `make frontend` first")
        stack = Stack.of(self)

        logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            # CloudFront's standard logs are written with an ACL grant.
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(id="keep-a-year", expiration=Duration.days(365))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(logs, ("AwsSolutions-S1", "The access-log bucket itself: logging it would loop."))
        self.bucket = s3.Bucket(
            self,
            "Pages",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=logs,
            server_access_logs_prefix="pages/",
            # Kept on teardown like the other buckets (docs/deploy.md): emptying it on delete would
            # take one more custom-resource function, for files any build makes again.
            removal_policy=RemovalPolicy.RETAIN,
        )

        self.csp = content_security_policy(
            cognito_origin(stack), api_origin, *bucket_origins(stack, attachments)
        )
        self.headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Jiesu pages: CSP, HSTS, nosniff, no framing, referrer (infra/pages.py)",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=self.csp, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.seconds(HSTS_SECONDS),
                    include_subdomains=True,
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
            ),
        )

        certificate = (
            acm.Certificate.from_certificate_arn(self, "Certificate", domain.certificate_arn)
            if domain
            else None
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{stack.stack_name}: public form and staff portal",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
                compress=True,
            ),
            error_responses=[
                cloudfront.ErrorResponse(
                    http_status=status,
                    response_http_status=200,
                    response_page_path="/index.html",
                    ttl=Duration.seconds(0),
                )
                for status in SPA_FALLBACK_STATUSES
            ],
            domain_names=[domain.name] if domain else None,
            certificate=certificate,
            # With the default *.cloudfront.net certificate CloudFront fixes the floor at TLSv1.
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if domain else None,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_ALL,
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix="cloudfront/",
        )
        self.url = f"https://{domain.name if domain else self.distribution.distribution_domain_name}"

        # Hashed assets first (kept a year), then the entry files with the generated config.json
        # (looked at every time); the second deployment invalidates the distribution's cache.
        assets = s3deploy.BucketDeployment(
            self,
            "Assets",
            destination_bucket=self.bucket,
            sources=[s3deploy.Source.asset(str(dist), exclude=[*ENTRY_FILES, *NOT_SERVED])],
            cache_control=[s3deploy.CacheControl.from_string(IMMUTABLE)],
            prune=False,
            memory_limit=DEPLOYMENT_MEMORY_MB,
        )
        entry = s3deploy.BucketDeployment(
            self,
            "Entry",
            destination_bucket=self.bucket,
            sources=[
                s3deploy.Source.asset(str(dist), exclude=["*", *(f"!{name}" for name in ENTRY_FILES)]),
                s3deploy.Source.json_data("config.json", config.json()),
            ],
            cache_control=[s3deploy.CacheControl.from_string(NO_CACHE)],
            prune=False,
            memory_limit=DEPLOYMENT_MEMORY_MB,
            distribution=self.distribution,
            distribution_paths=["/*"],
        )
        entry.node.add_dependency(assets)
        self._acknowledge_deployment_function(stack)

        acknowledge(
            self.distribution,
            (
                "AwsSolutions-CFR1",
                "Residents, enterprises and partner hotlines reach the pages from anywhere; the "
                "form asks for no geography.",
            ),
            (
                "AwsSolutions-CFR2",
                "The pages are static files behind a cache; the API, where requests cost something, "
                "has its own WAF web ACL on the API Gateway stage (throttling.py).",
            ),
            *(
                ()
                if domain
                else (
                    (
                        "AwsSolutions-CFR4",
                        "Without a custom domain the distribution uses CloudFront's default "
                        "certificate, whose TLS floor CloudFront sets; with one (frontendDomain), "
                        "the floor is TLSv1.2_2021.",
                    ),
                )
            ),
        )

    def _acknowledge_deployment_function(self, stack: Stack) -> None:
        """BucketDeployment's one function per stack (a child of the stack, not of this construct):
        it copies the built files from CDK's asset bucket into the pages bucket and invalidates
        the distribution's cache, with the grants CDK writes for exactly that."""
        partition = "<AWS::Partition>" if Token.is_unresolved(stack.partition) else stack.partition
        account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
        region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
        qualifier = (
            getattr(stack.synthesizer, "bootstrap_qualifier", None)
            or DefaultStackSynthesizer.DEFAULT_QUALIFIER
        )
        asset_bucket = f"arn:{partition}:s3:::cdk-{qualifier}-assets-{account}-{region}"
        for function in (c for c in stack.node.children if c.node.id.startswith(DEPLOYMENT_FUNCTION)):
            acknowledge(
                function,
                (
                    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                    "AWSLambdaBasicExecutionRole]",
                    "CDK's bucket-deployment function: the managed policy only lets it write its logs.",
                ),
                *(
                    (
                        f"AwsSolutions-IAM5[Action::{action}]",
                        "CDK's bucket-deployment grant: reading the asset bucket and writing the "
                        "pages bucket, on those two buckets only.",
                    )
                    for action in (
                        "s3:GetBucket*",
                        "s3:GetObject*",
                        "s3:List*",
                        "s3:Abort*",
                        "s3:DeleteObject*",
                    )
                ),
                (
                    f"AwsSolutions-IAM5[Resource::<{logical_id(self.bucket)}.Arn>/*]",
                    "Every file of the built frontend is an object of its own in the pages bucket.",
                ),
                (
                    f"AwsSolutions-IAM5[Resource::{asset_bucket}/*]",
                    "The zipped build CDK uploaded to its bootstrap asset bucket for this deployment.",
                ),
                (
                    "AwsSolutions-IAM5[Resource::*]",
                    "cloudfront:CreateInvalidation and GetInvalidation, which CDK grants on every "
                    "distribution (the function is told which one).",
                ),
                (
                    "AwsSolutions-L1",
                    "CDK pins the bucket-deployment function's runtime with the AWS CLI it bundles; "
                    "it moves with aws-cdk-lib upgrades.",
                ),
            )
