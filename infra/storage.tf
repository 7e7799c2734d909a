# The workshop's images. Private: the api streams images to participants, so nobody needs
# direct bucket access, and public access prevention makes an accidental public grant fail.
resource "google_storage_bucket" "images" {
  name     = "${var.project_id}-image-datasets"
  location = upper(var.region)

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  # `npm run destroy` must be able to remove a bucket that still holds a cohort's images.
  force_destroy = true

  lifecycle_rule {
    condition {
      age = var.retention_days
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

# The gallery's previews, derived from the images. A bucket apart because Eventarc's storage trigger
# filters by bucket only: a preview stored beside the images would invoke assessImage for nothing.
# Private and deleted on the same day as the images they were made from.
resource "google_storage_bucket" "previews" {
  name     = "${var.project_id}-image-datasets-previews"
  location = upper(var.region)

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true

  lifecycle_rule {
    condition {
      age = var.retention_days
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

# Reference photographs: private like the images, kept as long, and in a bucket of their own
# because the images bucket's finalize trigger assesses every object written there.
resource "google_storage_bucket" "references" {
  name     = "${var.project_id}-image-datasets-references"
  location = upper(var.region)

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true

  lifecycle_rule {
    condition {
      age = var.retention_days
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

# Function source archives, built by scripts/ops/deploy.ts. Separate so the image bucket's
# lifecycle rule can never delete the source a function redeploys from.
resource "google_storage_bucket" "source" {
  name     = "${var.project_id}-image-datasets-source"
  location = upper(var.region)

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true

  depends_on = [google_project_service.apis]
}

# The content hash in the name makes a code change a new object, which redeploys the functions.
resource "google_storage_bucket_object" "source" {
  name   = "source-${var.source_archive_sha256}.zip"
  bucket = google_storage_bucket.source.name
  source = var.source_archive_path
}
