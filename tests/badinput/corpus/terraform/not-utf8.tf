resource "aws_kms_key" "secrets" {
  description         = "clinic secrets"
  # owner: Jörg
  enable_key_rotation = true
}
