# Runs, prompts and the rate limiter's token buckets. The client libraries use `(default)`.
resource "google_firestore_database" "default" {
  name        = "(default)"
  location_id = var.firestore_location
  type        = "FIRESTORE_NATIVE"

  # Tearing a workshop down removes its data; the provider's default would leave the database behind.
  delete_protection_state = "DELETE_PROTECTION_DISABLED"
  deletion_policy         = "DELETE"

  depends_on = [google_project_service.apis]
}

# The run status averages the metrics of assessed prompts (FirestoreRunStore.quality): an equality
# filter on one field with averages over others is served by a composite index, not by single-field ones.
resource "google_firestore_index" "assessed_metrics" {
  database    = google_firestore_database.default.name
  collection  = "prompts"
  query_scope = "COLLECTION"

  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "metrics.brightness"
    order      = "ASCENDING"
  }
  fields {
    field_path = "metrics.colourVariance"
    order      = "ASCENDING"
  }
  fields {
    field_path = "metrics.resolutionScore"
    order      = "ASCENDING"
  }
}

# A participant's runs, newest first, a page at a time (FirestoreRunStore.listRunsPage): an
# equality filter on owner ordered by creation time and id needs a composite index.
resource "google_firestore_index" "runs_by_owner" {
  database    = google_firestore_database.default.name
  collection  = "runs"
  query_scope = "COLLECTION"

  fields {
    field_path = "owner"
    order      = "ASCENDING"
  }
  fields {
    field_path = "createdAt"
    order      = "DESCENDING"
  }
  fields {
    field_path = "__name__"
    order      = "DESCENDING"
  }
}

# The reconciler's stale-prompt queries (FirestoreLifecycleStore.findStalePrompts) run across every
# run's prompts at once: an equality on status and a range on one time field each, served by these
# collection-group indexes. They read only the prompts that are stuck, never every prompt of every run.
resource "google_firestore_index" "stale_prompts" {
  for_each    = toset(["queuedAt", "leaseExpiresAt", "generatedAt"])
  database    = google_firestore_database.default.name
  collection  = "prompts"
  query_scope = "COLLECTION_GROUP"

  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = each.value
    order      = "ASCENDING"
  }
}

# A run and its prompts expire with its images: FirestoreRunStore writes `expireAt` (creation time +
# retention_days, the variable that drives the buckets' lifecycle rules) on each, and Firestore's TTL
# sweep deletes them some time after it (usually within a day). Prompts are a subcollection of runs:
# a TTL policy applies to a collection group, so one policy covers every run's prompts.
resource "google_firestore_field" "run_ttl" {
  for_each   = toset(["runs", "prompts"])
  database   = google_firestore_database.default.name
  collection = each.value
  field      = "expireAt"

  ttl_config {}
}

# Download tickets that were never redeemed are deleted by Firestore's TTL sweep, some time after
# their `expireAt` (FirestoreDownloadTickets writes it as a timestamp). A redeemed ticket is deleted at once.
resource "google_firestore_field" "download_ticket_ttl" {
  database   = google_firestore_database.default.name
  collection = "downloadTickets"
  field      = "expireAt"

  ttl_config {}
}

# A participant's reference photographs and the shared ones, newest first, a page at a time
# (FirestoreReferenceStore.listPage). Firestore runs each side of its OR as its own query, an
# equality filter on owner or on shared ordered by creation time and id: one composite index each.
resource "google_firestore_index" "references_visible" {
  for_each    = toset(["owner", "shared"])
  database    = google_firestore_database.default.name
  collection  = "references"
  query_scope = "COLLECTION"

  fields {
    field_path = each.value
    order      = "ASCENDING"
  }
  fields {
    field_path = "createdAt"
    order      = "DESCENDING"
  }
  fields {
    field_path = "referenceId"
    order      = "DESCENDING"
  }
  fields {
    field_path = "__name__"
    order      = "DESCENDING"
  }
}

# The instructor's list of every reference: ordered by two fields, which also needs a composite index.
resource "google_firestore_index" "references_all" {
  database    = google_firestore_database.default.name
  collection  = "references"
  query_scope = "COLLECTION"

  fields {
    field_path = "createdAt"
    order      = "DESCENDING"
  }
  fields {
    field_path = "referenceId"
    order      = "DESCENDING"
  }
  fields {
    field_path = "__name__"
    order      = "DESCENDING"
  }
}
