# The secrets' values never pass through Terraform, so they are in neither its plan nor its state
# (OpenTofu 1.10, which `npm run infra:validate` builds, has no write-only arguments): `npm run deploy`
# creates these secrets first, adds each value as a version with `gcloud secrets versions add` (the
# value on stdin), then applies the rest. `npm run infra:validate` fails on any secret value in the plan.

# The instructor token lets the instructor manage the cohort through the api; only the api reads it.
resource "google_secret_manager_secret" "instructor_token" {
  secret_id = "image-datasets-instructor-token"

  replication {
    auto {}
  }

  deletion_protection = false
  depends_on          = [google_project_service.apis]
}

# Only in API-key mode: with Vertex AI the generator authenticates as its service account,
# so there is no key to store or leak.
resource "google_secret_manager_secret" "gemini_api_key" {
  count     = local.gemini_key ? 1 : 0
  secret_id = "image-datasets-gemini-api-key"

  replication {
    auto {}
  }

  deletion_protection = false
  depends_on          = [google_project_service.apis]
}

locals {
  # The key is only wired in when Gemini actually generates the images.
  api_key_mode = var.image_provider == "gemini" && var.gemini_auth == "api_key"

  # The judge (assessImage) reads the same key when it is on in API-key mode.
  judge_key_mode = var.judge == "gemini" && var.gemini_auth == "api_key"
  gemini_key     = local.api_key_mode || local.judge_key_mode
}
