# One service account per function, each holding only what its code does. Project-level grants
# appear only where the permission has no resource to bind to (Firestore, Vertex AI, Eventarc, logs).

resource "google_service_account" "api" {
  account_id   = "image-datasets-api"
  display_name = "image-datasets api function"
  depends_on   = [google_project_service.apis]
}

resource "google_service_account" "generate" {
  account_id   = "image-datasets-generate"
  display_name = "image-datasets generateImage function"
  depends_on   = [google_project_service.apis]
}

resource "google_service_account" "assess" {
  account_id   = "image-datasets-assess"
  display_name = "image-datasets assessImage function"
  depends_on   = [google_project_service.apis]
}

resource "google_service_account" "reconcile" {
  account_id   = "image-datasets-reconcile"
  display_name = "image-datasets reconcile function"
  depends_on   = [google_project_service.apis]
}

# Cloud Scheduler calls the reconcile function with an OIDC token of this account.
resource "google_service_account" "scheduler" {
  account_id   = "image-datasets-scheduler"
  display_name = "image-datasets reconcile schedule"
  depends_on   = [google_project_service.apis]
}

# Eventarc invokes the two event functions as this account.
resource "google_service_account" "trigger" {
  account_id   = "image-datasets-trigger"
  display_name = "image-datasets Eventarc triggers"
  depends_on   = [google_project_service.apis]
}

# Builds the functions. New projects' default build account has no roles (Cloud Build's July 2024
# change), so a dedicated one makes the first deploy work and keeps the build's reach small.
resource "google_service_account" "build" {
  account_id   = "image-datasets-build"
  display_name = "image-datasets function builds"
  depends_on   = [google_project_service.apis]
}

locals {
  runtime_members = {
    api       = "serviceAccount:${google_service_account.api.email}"
    generate  = "serviceAccount:${google_service_account.generate.email}"
    assess    = "serviceAccount:${google_service_account.assess.email}"
    reconcile = "serviceAccount:${google_service_account.reconcile.email}"
  }
}

# --- api: publishes prompts, records runs, streams images, checks the instructor token.

resource "google_pubsub_topic_iam_member" "api_publish" {
  topic  = google_pubsub_topic.generation.name
  role   = "roles/pubsub.publisher"
  member = local.runtime_members.api
}

# objectUser on both buckets: it reads images and previews, stores the preview of an image made
# before previews existed, and deletes a participant's objects on purge.
resource "google_storage_bucket_iam_member" "api_images" {
  bucket = google_storage_bucket.images.name
  role   = "roles/storage.objectUser"
  member = local.runtime_members.api
}

resource "google_storage_bucket_iam_member" "api_previews" {
  bucket = google_storage_bucket.previews.name
  role   = "roles/storage.objectUser"
  member = local.runtime_members.api
}

# objectUser on reference photographs: it stores an upload's downscaled copy and deletes it.
resource "google_storage_bucket_iam_member" "api_references" {
  bucket = google_storage_bucket.references.name
  role   = "roles/storage.objectUser"
  member = local.runtime_members.api
}

resource "google_secret_manager_secret_iam_member" "api_instructor_token" {
  secret_id = google_secret_manager_secret.instructor_token.id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.runtime_members.api
}

# --- generateImage: stats and writes images, calls Gemini, and deletes an image it stored for a
# prompt that was cancelled or purged during the model call (objectUser).

resource "google_storage_bucket_iam_member" "generate_images" {
  bucket = google_storage_bucket.images.name
  role   = "roles/storage.objectUser"
  member = local.runtime_members.generate
}

# objectViewer on reference photographs: it reads the stored copy of each reference that guides a prompt.
resource "google_storage_bucket_iam_member" "generate_references" {
  bucket = google_storage_bucket.references.name
  role   = "roles/storage.objectViewer"
  member = local.runtime_members.generate
}

resource "google_project_iam_member" "generate_vertex" {
  count   = var.image_provider == "gemini" && local.vertex ? 1 : 0
  project = var.project_id
  role    = "roles/aiplatform.user"
  member  = local.runtime_members.generate
}

resource "google_secret_manager_secret_iam_member" "generate_gemini_key" {
  count     = local.api_key_mode ? 1 : 0
  secret_id = google_secret_manager_secret.gemini_api_key[0].id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.runtime_members.generate
}

# --- assessImage: reads the image it assesses (objectViewer) and stores its preview in the previews
# bucket; it deletes that preview again when the prompt was purged while it ran (objectUser there).
# The whole table of what each function does is checked against these grants by
# test/integration/permissions.test.ts, from the operations the functions record on the local stack.

resource "google_storage_bucket_iam_member" "assess_images" {
  bucket = google_storage_bucket.images.name
  role   = "roles/storage.objectViewer"
  member = local.runtime_members.assess
}

resource "google_storage_bucket_iam_member" "assess_previews" {
  bucket = google_storage_bucket.previews.name
  role   = "roles/storage.objectUser"
  member = local.runtime_members.assess
}

# --- reconcile: re-queues prompts whose message was lost, re-assesses images whose finalize event was lost, judges owed verdicts.

resource "google_pubsub_topic_iam_member" "reconcile_publish" {
  topic  = google_pubsub_topic.generation.name
  role   = "roles/pubsub.publisher"
  member = local.runtime_members.reconcile
}

# Re-assessing an image whose finalize event was lost reads it and stores its preview, which it
# deletes again if the prompt was purged meanwhile, as assessImage does.
resource "google_storage_bucket_iam_member" "reconcile_images" {
  bucket = google_storage_bucket.images.name
  role   = "roles/storage.objectViewer"
  member = local.runtime_members.reconcile
}

resource "google_storage_bucket_iam_member" "reconcile_previews" {
  bucket = google_storage_bucket.previews.name
  role   = "roles/storage.objectUser"
  member = local.runtime_members.reconcile
}

# With the judge on, the reconciler judges owed verdicts again: the judge's credentials mode.
resource "google_project_iam_member" "reconcile_vertex" {
  count   = var.judge == "gemini" && local.vertex ? 1 : 0
  project = var.project_id
  role    = "roles/aiplatform.user"
  member  = local.runtime_members.reconcile
}

resource "google_secret_manager_secret_iam_member" "reconcile_gemini_key" {
  count     = local.judge_key_mode ? 1 : 0
  secret_id = google_secret_manager_secret.gemini_api_key[0].id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.runtime_members.reconcile
}

resource "google_cloud_run_v2_service_iam_member" "scheduler_invokes_reconcile" {
  location = var.region
  name     = google_cloudfunctions2_function.reconcile.service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler.email}"
}

# --- assessImage's content judge: the same Gemini credentials mode as the generator.

resource "google_project_iam_member" "assess_vertex" {
  count   = var.judge == "gemini" && local.vertex ? 1 : 0
  project = var.project_id
  role    = "roles/aiplatform.user"
  member  = local.runtime_members.assess
}

resource "google_secret_manager_secret_iam_member" "assess_gemini_key" {
  count     = local.judge_key_mode ? 1 : 0
  secret_id = google_secret_manager_secret.gemini_api_key[0].id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.runtime_members.assess
}

# --- All four read and write run state. Firestore has no per-database IAM binding.

resource "google_project_iam_member" "datastore_user" {
  for_each = local.runtime_members
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = each.value
}

# --- Event delivery.

resource "google_project_iam_member" "trigger_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.trigger.email}"
}

resource "google_cloud_run_v2_service_iam_member" "trigger_invokes" {
  for_each = {
    generate = google_cloudfunctions2_function.generate.service_config[0].service
    assess   = google_cloudfunctions2_function.assess.service_config[0].service
  }
  location = var.region
  name     = each.value
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.trigger.email}"
}

data "google_storage_project_service_account" "gcs" {
  depends_on = [google_project_service.apis]
}

# Storage trigger events reach Eventarc through a topic Eventarc creates itself, so the Cloud
# Storage service agent needs publish rights at project level; there is no topic to bind to.
resource "google_project_iam_member" "gcs_publishes_events" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
}

# --- The api is public: participants authenticate with the app's own tokens, not Google identities.

resource "google_cloud_run_v2_service_iam_member" "api_public" {
  location = var.region
  name     = google_cloudfunctions2_function.api.service_config[0].service
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- Builds: logs, the function images, and the sources Cloud Functions stages in its own buckets.

resource "google_project_iam_member" "build_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.build.email}"
}

resource "google_artifact_registry_repository_iam_member" "build_images" {
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.build.email}"
}

# Cloud Functions copies the source into Google-created gcf-v2-* buckets whose names are not
# known beforehand; the condition keeps the grant off every other bucket, the images included.
resource "google_project_iam_member" "build_staged_sources" {
  project = var.project_id
  role    = "roles/storage.objectAdmin"
  member  = "serviceAccount:${google_service_account.build.email}"

  condition {
    title      = "gcf-staging-buckets-only"
    expression = "resource.name.startsWith(\"projects/_/buckets/gcf-v2-\")"
  }
}

resource "google_storage_bucket_iam_member" "build_reads_source" {
  bucket = google_storage_bucket.source.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.build.email}"
}
