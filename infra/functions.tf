locals {
  # The deployed shape of each function (timeout, instances, requests per instance, memory, CPU,
  # account, trigger), declared once: the local stack reads and enforces the same file
  # (scripts/stack/shape.ts). See docs/deployed-shape.md.
  shape = jsondecode(file("${path.module}/shape.json"))

  # Every variable loadConfig validates, on all three functions: each one loads the whole config.
  # DEFAULT_IMAGE_QUOTA, MAX_IMAGES_PER_RUN and MAX_RUNS_IN_FLIGHT are the cohort limits the api enforces.
  common_env = {
    # Express's default error page (a malformed JSON body, parsed by functions-framework before our
    # code runs) then carries no stack trace or server path.
    NODE_ENV               = "production"
    GOOGLE_CLOUD_PROJECT   = var.project_id
    IMAGE_BUCKET           = google_storage_bucket.images.name
    PREVIEW_BUCKET         = google_storage_bucket.previews.name
    REFERENCE_BUCKET       = google_storage_bucket.references.name
    GENERATION_TOPIC       = google_pubsub_topic.generation.name
    IMAGE_PROVIDER         = var.image_provider
    GEMINI_MODEL           = var.model
    GEMINI_RATE_LIMIT_RPM  = tostring(var.rate_limit_rpm)
    GEMINI_TIMEOUT_SECONDS = tostring(var.gemini_timeout_seconds)
    LEASE_SECONDS          = tostring(var.lease_seconds)
    MAX_ATTEMPTS           = tostring(var.max_attempts)
    DEFAULT_IMAGE_QUOTA    = tostring(var.default_image_quota)
    MAX_IMAGES_PER_RUN     = tostring(var.max_images_per_run)
    MAX_RUNS_IN_FLIGHT     = tostring(var.max_runs_in_flight)
    # Stamps expireAt on runs and prompts; the same variable drives the buckets' lifecycle rules.
    RETENTION_DAYS = tostring(var.retention_days)
    # The reconciler's cadence (the schedule in scheduler.tf is built from the same variable) and deadlines.
    RECONCILE_INTERVAL_SECONDS = tostring(var.reconcile_interval_minutes * 60)
    RECONCILE_STALE_SECONDS    = tostring(var.reconcile_stale_minutes * 60)
    GENERATE_DEADLINE_SECONDS  = tostring(var.generate_deadline_minutes * 60)
    ASSESS_DEADLINE_SECONDS    = tostring(var.assess_deadline_minutes * 60)
    WRITE_RATE_LIMITS          = join(",", [for kind, per_minute in var.write_rate_limits : "${kind}=${per_minute}"])
    JUDGE                      = var.judge
    JUDGE_MODEL                = var.judge_model
    JUDGE_RATE_LIMIT_RPM       = tostring(var.judge_rate_limit_rpm)
    JUDGE_TIMEOUT_SECONDS      = "30"
  }

  # Instances run one prompt at a time. By Little's law, rate_limit_rpm/60 calls per second lasting
  # expected_call_seconds each keep rpm/60 × seconds calls in flight; 1.5× covers instances that are
  # waiting for a token or storing an image. The generator's precondition holds shape.json to it.
  generate_instances_needed = min(100, max(1, ceil(var.rate_limit_rpm / 60 * var.expected_call_seconds * 1.5)))

  source = {
    bucket = google_storage_bucket.source.name
    object = google_storage_bucket_object.source.name
  }
}

resource "google_cloudfunctions2_function" "api" {
  name     = "api"
  location = var.region

  build_config {
    runtime           = var.runtime
    entry_point       = "api"
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id
    source {
      storage_source {
        bucket = local.source.bucket
        object = local.source.object
      }
    }
  }

  # Behind the optional load balancer (load-balancer.tf), only the balancer may reach the api.
  service_config {
    available_memory               = local.shape.api.memory
    available_cpu                  = local.shape.api.cpu
    timeout_seconds                = local.shape.api.timeout_seconds
    max_instance_count             = local.shape.api.max_instances
    ingress_settings               = var.api_load_balancer ? "ALLOW_INTERNAL_AND_GCLB" : "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.api.email
    environment_variables          = local.common_env

    # Requests per instance: see docs/deployed-shape.md for why this figure and the compressed-body guard.
    max_instance_request_concurrency = local.shape.api.requests_per_instance

    secret_environment_variables {
      key        = "INSTRUCTOR_TOKEN"
      project_id = var.project_id
      secret     = google_secret_manager_secret.instructor_token.secret_id
      version    = "latest"
    }
  }

  depends_on = [
    google_project_iam_member.datastore_user,
    google_secret_manager_secret_iam_member.api_instructor_token,
    google_storage_bucket_iam_member.api_references,
    google_project_iam_member.build_logs,
    google_project_iam_member.build_staged_sources,
    google_artifact_registry_repository_iam_member.build_images,
    google_storage_bucket_iam_member.build_reads_source,
    google_firestore_database.default,
  ]
}

resource "google_cloudfunctions2_function" "generate" {
  name     = "generateImage"
  location = var.region

  build_config {
    runtime           = var.runtime
    entry_point       = "generateImage"
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id
    source {
      storage_source {
        bucket = local.source.bucket
        object = local.source.object
      }
    }
  }

  service_config {
    available_memory                 = local.shape.generateImage.memory
    available_cpu                    = local.shape.generateImage.cpu
    timeout_seconds                  = local.shape.generateImage.timeout_seconds
    max_instance_count               = local.shape.generateImage.max_instances
    max_instance_request_concurrency = local.shape.generateImage.requests_per_instance
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.generate.email
    # "false" in API-key mode keeps a stray setting from switching the SDK to Vertex AI.
    environment_variables = merge(local.common_env, {
      GOOGLE_GENAI_USE_VERTEXAI = local.vertex ? "true" : "false"
      GOOGLE_CLOUD_LOCATION     = var.vertex_location
    })

    dynamic "secret_environment_variables" {
      for_each = local.api_key_mode ? [google_secret_manager_secret.gemini_api_key[0].secret_id] : []
      content {
        key        = "GEMINI_API_KEY"
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
    pubsub_topic          = google_pubsub_topic.generation.id
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger.email
  }

  lifecycle {
    precondition {
      condition     = var.image_provider != "gemini" || var.lease_seconds >= var.gemini_timeout_seconds + 30
      error_message = "lease_seconds must be at least gemini_timeout_seconds + 30, so a model call always ends before its lease can be taken over (loadConfig enforces the same)."
    }
    # The handler holds a prompt for at most its lease (rate-limit wait + model call), then writes the image.
    precondition {
      condition     = local.shape.generateImage.timeout_seconds >= var.lease_seconds + 60 && local.shape.generateImage.timeout_seconds <= 540
      error_message = "generateImage's timeout_seconds in infra/shape.json must cover lease_seconds + 60 s to store the image, and event functions run at most 540 s."
    }
    precondition {
      condition     = local.shape.generateImage.max_instances >= local.generate_instances_needed
      error_message = "generateImage's max_instances in infra/shape.json is below rate_limit_rpm / 60 × expected_call_seconds × 1.5: raise it, or calls queue on the rate limiter."
    }
  }

  depends_on = [
    google_project_iam_member.datastore_user,
    google_project_iam_member.generate_vertex,
    google_secret_manager_secret_iam_member.generate_gemini_key,
    google_storage_bucket_iam_member.generate_images,
    google_project_iam_member.trigger_receiver,
    google_project_iam_member.build_logs,
    google_project_iam_member.build_staged_sources,
    google_artifact_registry_repository_iam_member.build_images,
    google_storage_bucket_iam_member.build_reads_source,
    google_firestore_database.default,
  ]
}

resource "google_cloudfunctions2_function" "assess" {
  name     = "assessImage"
  location = var.region

  build_config {
    runtime           = var.runtime
    entry_point       = "assessImage"
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id
    source {
      storage_source {
        bucket = local.source.bucket
        object = local.source.object
      }
    }
  }

  service_config {
    # Decoding a 4096² image peaks below 512 MiB; a whole vCPU keeps the decode quick.
    available_memory                 = local.shape.assessImage.memory
    available_cpu                    = local.shape.assessImage.cpu
    timeout_seconds                  = local.shape.assessImage.timeout_seconds
    max_instance_count               = local.shape.assessImage.max_instances
    max_instance_request_concurrency = local.shape.assessImage.requests_per_instance
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.assess.email
    # The judge calls Gemini from here, with the same credentials mode as the generator.
    environment_variables = merge(local.common_env, {
      GOOGLE_GENAI_USE_VERTEXAI = local.vertex ? "true" : "false"
      GOOGLE_CLOUD_LOCATION     = var.vertex_location
    })

    dynamic "secret_environment_variables" {
      for_each = local.judge_key_mode ? [google_secret_manager_secret.gemini_api_key[0].secret_id] : []
      content {
        key        = "GEMINI_API_KEY"
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.storage.object.v1.finalized"
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger.email
    event_filters {
      attribute = "bucket"
      value     = google_storage_bucket.images.name
    }
  }

  depends_on = [
    google_project_iam_member.datastore_user,
    google_storage_bucket_iam_member.assess_images,
    google_project_iam_member.assess_vertex,
    google_secret_manager_secret_iam_member.assess_gemini_key,
    google_project_iam_member.trigger_receiver,
    google_project_iam_member.gcs_publishes_events,
    google_project_iam_member.build_logs,
    google_project_iam_member.build_staged_sources,
    google_artifact_registry_repository_iam_member.build_images,
    google_storage_bucket_iam_member.build_reads_source,
    google_firestore_database.default,
  ]
}

# Cloud Scheduler calls it every reconcile_interval_minutes (scheduler.tf). It is not public: only
# the scheduler's account may invoke it (iam.tf). Ingress stays "all" because the IAM check, not the
# network path, is what keeps everyone else out, and Scheduler's requests come from outside any VPC.
resource "google_cloudfunctions2_function" "reconcile" {
  name     = "reconcile"
  location = var.region

  build_config {
    runtime           = var.runtime
    entry_point       = "reconcile"
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id
    source {
      storage_source {
        bucket = local.source.bucket
        object = local.source.object
      }
    }
  }

  service_config {
    # It may assess a few images whose finalize event was lost: the same decode as assessImage.
    available_memory                 = local.shape.reconcile.memory
    available_cpu                    = local.shape.reconcile.cpu
    timeout_seconds                  = local.shape.reconcile.timeout_seconds
    max_instance_count               = local.shape.reconcile.max_instances
    max_instance_request_concurrency = local.shape.reconcile.requests_per_instance
    ingress_settings                 = "ALLOW_ALL"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.reconcile.email
    # An owed verdict is judged again here, through the assessor's code: the judge's credentials mode.
    environment_variables = merge(local.common_env, {
      GOOGLE_GENAI_USE_VERTEXAI = local.vertex ? "true" : "false"
      GOOGLE_CLOUD_LOCATION     = var.vertex_location
    })

    dynamic "secret_environment_variables" {
      for_each = local.judge_key_mode ? [google_secret_manager_secret.gemini_api_key[0].secret_id] : []
      content {
        key        = "GEMINI_API_KEY"
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.generate_deadline_minutes > var.reconcile_stale_minutes && var.assess_deadline_minutes > var.reconcile_stale_minutes
      error_message = "generate_deadline_minutes and assess_deadline_minutes must exceed reconcile_stale_minutes, so a stuck prompt is queued again before it can be failed (loadConfig enforces the same)."
    }
  }

  depends_on = [
    google_project_iam_member.datastore_user,
    google_pubsub_topic_iam_member.reconcile_publish,
    google_storage_bucket_iam_member.reconcile_images,
    google_project_iam_member.reconcile_vertex,
    google_secret_manager_secret_iam_member.reconcile_gemini_key,
    google_project_iam_member.build_logs,
    google_project_iam_member.build_staged_sources,
    google_artifact_registry_repository_iam_member.build_images,
    google_storage_bucket_iam_member.build_reads_source,
    google_firestore_database.default,
  ]
}
