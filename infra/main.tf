provider "google" {
  project = var.project_id
  region  = var.region
}

locals {
  vertex = var.gemini_auth == "vertex"

  # aiplatform only matters when Gemini runs through Vertex AI; generativelanguage only with an API key.
  gemini_apis = var.image_provider == "gemini" || var.judge == "gemini" ? (local.vertex ? ["aiplatform.googleapis.com"] : ["generativelanguage.googleapis.com"]) : []

  apis = toset(concat([
    "artifactregistry.googleapis.com",
    "cloudscheduler.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "eventarc.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ], local.gemini_apis, var.api_load_balancer ? ["compute.googleapis.com"] : []))
}

resource "google_project_service" "apis" {
  for_each = local.apis
  service  = each.value

  # Turning APIs off on destroy would break anything else in the project that uses them.
  disable_on_destroy = false
}

# Our own image repository instead of the implicit gcf-artifacts one: the build account writes only
# here, and `destroy` removes the function images with it instead of leaving them to accrue storage.
resource "google_artifact_registry_repository" "functions" {
  location      = var.region
  repository_id = "image-dataset-functions"
  format        = "DOCKER"
  description   = "Build images of the image-dataset Cloud Functions"

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 5
    }
  }

  depends_on = [google_project_service.apis]
}
