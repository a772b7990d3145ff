resource "aws_kms_key" "prod_mongodb" {
  enable_key_rotation = true

resource "aws_secretsmanager_secret" "uri" {}
