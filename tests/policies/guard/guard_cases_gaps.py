"""Mutations for the fail-open gaps a review found: forms the guard once passed silently. Same table
style as guard_cases.py; each must become a violation or an `error`, and its read-only twin pass."""
from __future__ import annotations

from guard_cases import HEADER, Case, mutant

ECS = "infra/envs/prod/ecs.tf"
SECRETS_BLOCK = """      secrets = [
        { name = "MONGODB_URI", valueFrom = aws_secretsmanager_secret.mongodb_uri.arn },
        { name = "MONGODB_REFERENCE_URI", valueFrom = aws_secretsmanager_secret.mongodb_reference_uri.arn },
      ]
"""
DEFINITIONS = """  container_definitions = jsonencode([
    {
      name  = "app"
      image = "app:latest"
""" + SECRETS_BLOCK + """    }
  ])
"""
HEREDOC = """  container_definitions = <<JSON
[{"name": "app", "image": "app:latest", "secrets": {op}}]
JSON
"""
LITERAL_JSON_SECRETS = (
    '[{"name": "MONGODB_URI", "valueFrom": "${aws_secretsmanager_secret.mongodb_uri.arn}"}, '
    '{"name": "MONGODB_REFERENCE_URI", "valueFrom": "${aws_secretsmanager_secret.mongodb_reference_uri.arn}"}]'
)

GAP_CASES: tuple[Case, ...] = (
    Case("tf-jsonencode-secrets-from-local", "tf-secret-unresolved", ((ECS, SECRETS_BLOCK, "{op}"),),
         "      secrets = local.app_secrets\n", SECRETS_BLOCK, ECS, "container_definitions"),
    Case("tf-heredoc-json-spliced-secrets", "tf-secret-unresolved", ((ECS, DEFINITIONS, HEREDOC),),
         "${jsonencode(local.app_secrets)}", LITERAL_JSON_SECRETS, ECS, "container_definitions"),
)

ROUTE = HEADER + """
export async function POST() {
  const db = await getReferenceDb();
  await db.collection("formularies_staging").{op}({}); // SITE
  return Response.json({ ok: true });
}
"""
GAP_CASES += (
    Case("route-under-a-nested-build-directory", "reference-write", (("src/app/api/build/route.ts", "", ROUTE),),
         "deleteMany", "countDocuments", "src/app/api/build/route.ts"),
    Case("route-under-a-nested-out-directory", "reference-write", (("src/app/out/route.ts", "", ROUTE),),
         "insertOne", "findOne", "src/app/out/route.ts"),
)
