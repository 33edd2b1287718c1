"""The frontend's hosting (infra/aws/frontend.py): a private bucket read only by CloudFront, the
pages served over HTTPS with the headers the local server sends, the app's own routes answered
with index.html, and a config.json written from the stack's own resources."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.aws.api import API_GATEWAY_STAGE
from infra.pages import HSTS_SECONDS, content_security_policy, page_headers

from .conftest import ACCOUNT, REGION, Synth

DISTRIBUTION = "AWS::CloudFront::Distribution"
DEPLOYMENT = "Custom::CDKBucketDeployment"
CLOUDFRONT_MAX_CSP = 1783  # CloudFront's limit on a response headers policy's CSP value


def only(resources: dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    (item,) = resources.items()
    return item


def distribution(synth: Synth) -> dict[str, Any]:
    return only(synth.of_type(DISTRIBUTION))[1]["Properties"]["DistributionConfig"]


def pages_bucket_id(synth: Synth) -> str:
    config = distribution(synth)
    (origin,) = config["Origins"]
    return str(origin["DomainName"]["Fn::GetAtt"][0])


def deployments(synth: Synth) -> dict[str, dict[str, Any]]:
    return {rid: res["Properties"] for rid, res in synth.resources.items() if res["Type"] == DEPLOYMENT}


def test_the_pages_bucket_is_private_encrypted_tls_only_and_read_by_cloudfront_alone(synth: Synth) -> None:
    bucket_id = pages_bucket_id(synth)
    bucket = synth.resources[bucket_id]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    assert "DestinationBucketName" in bucket["LoggingConfiguration"]

    (policy,) = [
        res["Properties"]["PolicyDocument"]["Statement"]
        for res in synth.of_type("AWS::S3::BucketPolicy").values()
        if res["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    denied = [s for s in policy if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denied)
    allowed = [s for s in policy if s["Effect"] == "Allow"]
    # Only the distribution (origin access control), and only to read.
    assert len(allowed) == 1
    (grant,) = allowed
    assert grant["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert grant["Action"] == "s3:GetObject"
    source = json.dumps(grant["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert only(synth.of_type(DISTRIBUTION))[0] in source


def test_the_distribution_serves_https_through_origin_access_control_with_its_logs(synth: Synth) -> None:
    config = distribution(synth)
    (origin,) = config["Origins"]
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    (control,) = synth.of_type("AWS::CloudFront::OriginAccessControl").values()
    assert control["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"

    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert config["DefaultRootObject"] == "index.html"
    assert "Bucket" in config["Logging"]


def test_the_apps_own_routes_are_answered_with_index_html(synth: Synth) -> None:
    """/staff/inbox or /track/… are no files: S3 answers 403 (or 404) and the app's router takes over."""
    answers = {e["ErrorCode"]: e for e in distribution(synth)["CustomErrorResponses"]}
    assert set(answers) == {403, 404}
    for answer in answers.values():
        assert (answer["ResponseCode"], answer["ResponsePagePath"]) == (200, "/index.html")


def test_every_page_carries_the_local_servers_security_headers_and_hsts(synth: Synth) -> None:
    config = distribution(synth)
    policy_id = config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]["Ref"]
    headers = synth.resources[policy_id]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]

    attachments = synth.stack.node.find_child("Data").attachments
    expected = content_security_policy(
        f"https://cognito-idp.{REGION}.{synth.stack.url_suffix}",
        # Any API of the region: the API names the distribution (CORS), so not the other way round.
        f"https://*.execute-api.{REGION}.{synth.stack.url_suffix}",
        f"https://{attachments.bucket_name}.s3.{synth.stack.url_suffix}",
        f"https://{attachments.bucket_name}.s3.{REGION}.{synth.stack.url_suffix}",
    )
    assert headers["ContentSecurityPolicy"] == {
        "ContentSecurityPolicy": synth.resolve(expected),
        "Override": True,
    }
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == page_headers()["Referrer-Policy"]
    assert headers["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": HSTS_SECONDS,
        "IncludeSubdomains": True,
        "Override": True,
    }


def test_the_cloud_and_the_local_policies_differ_only_in_the_aws_addresses() -> None:
    local = dict(
        d.split(" ", 1) for d in page_headers("http://127.0.0.1:5000")["Content-Security-Policy"].split("; ")
    )
    cloud = dict(
        d.split(" ", 1)
        for d in content_security_policy("https://cognito-idp.example", "https://api.example").split("; ")
    )
    assert local.keys() == cloud.keys()
    for directive in ("default-src", "script-src", "style-src", "font-src", "object-src", "base-uri"):
        assert local[directive] == cloud[directive], directive
    assert cloud["frame-ancestors"] == local["frame-ancestors"] == "'none'"
    assert cloud["script-src"] == "'self'"  # no inline script anywhere


def test_config_json_is_written_from_the_stacks_own_resources(synth: Synth) -> None:
    """One deployment carries index.html and the generated config.json (never cached, and it
    invalidates the distribution); the API, user pool and client reach the file as references."""
    (entry,) = [d for d in deployments(synth).values() if "DistributionId" in d]
    assert entry["SystemMetadata"]["cache-control"] == "no-cache"
    assert entry["DistributionPaths"] == ["/*"]
    markers = json.dumps(entry["SourceMarkers"])
    auth = synth.stack.node.find_child("Auth")
    api = synth.stack.node.find_child("Api")
    for resource in (auth.user_pool, auth.client):
        assert synth.resolve(resource.node.default_child.ref)["Ref"] in markers
    assert api.rest_api.logical_id in markers or synth.resolve(api.rest_api.ref)["Ref"] in markers

    # The file itself, as staged for the deployment: the contract's keys (docs/api.md; no
    # cognitoEndpoint, which reads as null), the references left as markers that the deployment
    # replaces with their JSON-quoted values.
    (staged,) = Path(synth.stack.node.root.outdir).glob("asset.*/config.json")
    written = json.loads(re.sub(r"<<marker:0xbaba:(\d+)>>", r'"marker \1"', staged.read_text()))
    assert written == {
        "apiUrl": "marker 0",
        "region": REGION,
        "userPoolId": "marker 1",
        "userPoolClientId": "marker 2",
        "stage": "prod",
        "timeScale": 1,
    }
    (filled,) = [m for m in entry["SourceMarkers"] if m]
    values = {int(k.split(":")[-1].rstrip(">")): json.dumps(v) for k, v in filled.items()}
    assert json.dumps(synth.resolve(api.rest_api_id)) in values[0]
    assert f"/{API_GATEWAY_STAGE}/api/v1" in values[0]
    assert json.dumps(synth.resolve(auth.user_pool.user_pool_id)) in values[1]
    assert json.dumps(synth.resolve(auth.client.user_pool_client_id)) in values[2]

    (assets,) = [d for d in deployments(synth).values() if "DistributionId" not in d]
    assert assets["SystemMetadata"]["cache-control"] == "public, max-age=31536000, immutable"


def test_the_stack_tells_operators_where_the_pages_are(synth: Synth) -> None:
    outputs = synth.json["Outputs"]
    domain = json.dumps(outputs["FrontendUrl"]["Value"])
    assert only(synth.of_type(DISTRIBUTION))[0] in domain and "DomainName" in domain


def test_the_api_answers_only_the_pages_origin(synth: Synth) -> None:
    """The API handler is told the distribution's address (its answers' Access-Control-Allow-Origin),
    and the pages' policy names no API of its own (the distribution does not depend on the API)."""
    from chalicelib import names

    handler = next(
        r
        for r in synth.of_type("AWS::Serverless::Function").values()
        if r["Properties"]["Handler"] == "app.app"
    )
    origin = json.dumps(handler["Properties"]["Environment"]["Variables"][names.ENV_ALLOWED_ORIGIN])
    assert only(synth.of_type(DISTRIBUTION))[0] in origin and "DomainName" in origin
    policy = json.dumps(only(synth.of_type("AWS::CloudFront::ResponseHeadersPolicy"))[1])
    assert "RestApi" not in policy and "*.execute-api." in policy


# --- a custom domain, on the construct alone (no Chalice synth) ------------------------------------


def hosting(tmp_path: Path, **kwargs: Any) -> dict[str, Any]:
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3
    from aws_cdk.assertions import Template

    from infra.aws.frontend import Frontend, FrontendConfig

    (tmp_path / "index.html").write_text("<!doctype html>\n")
    stack = cdk.Stack(cdk.App(), "Pages", env=cdk.Environment(account=ACCOUNT, region=REGION))
    Frontend(
        stack,
        "Frontend",
        dist=tmp_path,
        config=FrontendConfig(
            api_url="https://api.example/api/v1",
            region=REGION,
            user_pool_id="p",
            user_pool_client_id="c",
            stage="prod",
        ),
        api_origin="https://api.example",
        attachments=s3.Bucket(stack, "Attachments"),
        **kwargs,
    )
    (config,) = [
        r["Properties"]["DistributionConfig"]
        for r in Template.from_stack(stack).to_json()["Resources"].values()
        if r["Type"] == DISTRIBUTION
    ]
    return dict(config)


def test_a_custom_domain_gets_its_certificate_and_tls_1_2_at_least(tmp_path: Path) -> None:
    from infra.aws.frontend import CustomDomain

    certificate = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0b5e6a1c-0000-4000-8000-000000000000"
    config = hosting(tmp_path, domain=CustomDomain("12345.example.gov.cn", certificate))
    assert config["Aliases"] == ["12345.example.gov.cn"]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": certificate,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }


def test_without_a_custom_domain_the_default_certificate_serves(tmp_path: Path) -> None:
    config = hosting(tmp_path)
    assert "Aliases" not in config
    assert "ViewerCertificate" not in config  # CloudFront's *.cloudfront.net certificate


def test_the_frontend_must_be_built_before_synth(tmp_path: Path) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3

    from infra.aws.frontend import Frontend, FrontendConfig

    stack = cdk.Stack(cdk.App(), "Pages")
    with pytest.raises(FileNotFoundError, match="make frontend"):
        Frontend(
            stack,
            "Frontend",
            dist=tmp_path,
            config=FrontendConfig(
                api_url="https://a", region="r", user_pool_id="p", user_pool_client_id="c", stage="prod"
            ),
            api_origin="https://a",
            attachments=s3.Bucket(stack, "Attachments"),
        )


def test_the_policy_fits_cloudfronts_limit_with_the_longest_names() -> None:
    longest_bucket = "b" * 63
    policy = content_security_policy(
        "https://cognito-idp.ap-southeast-1.amazonaws.com",
        "https://abcdefghij.execute-api.ap-southeast-1.amazonaws.com",
        f"https://{longest_bucket}.s3.amazonaws.com",
        f"https://{longest_bucket}.s3.ap-southeast-1.amazonaws.com",
    )
    assert len(policy) <= CLOUDFRONT_MAX_CSP
