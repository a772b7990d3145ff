resource "mongodbatlas_project" "reference" {
  name   = "reference"
  org_id = "6a7000000000000000000000"
}

# A reference-project user that can write: the Terraform plane and the guard both judge it.
resource "mongodbatlas_database_user" "catalog_sync" {
  project_id         = mongodbatlas_project.reference.id
  username           = "catalog_sync"
  auth_database_name = "admin"

  roles {
    role_name     = "readWrite"
    database_name = "reference"
  }

  scopes {
    name = "reference-cluster"
    type = "CLUSTER"
  }
}
