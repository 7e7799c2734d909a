variable "project_id" {
  type        = string
  description = "Google Cloud project to deploy into (a dedicated one is easiest to tear down and to bill)."
}

variable "region" {
  type        = string
  default     = "europe-west1"
  description = "Region of the functions, the buckets and the Eventarc triggers."
}

variable "firestore_location" {
  type        = string
  default     = "europe-west1"
  description = "Location of the Firestore database (a region such as europe-west1, or eur3/nam5). Fixed once created."
}

variable "runtime" {
  type        = string
  default     = "nodejs22"
  description = "Cloud Functions runtime."
}

variable "image_provider" {
  type        = string
  default     = "embedded"
  description = "IMAGE_PROVIDER: \"embedded\" (offline placeholder renderer, no model costs) or \"gemini\"."
  validation {
    condition     = contains(["embedded", "gemini"], var.image_provider)
    error_message = "image_provider must be \"embedded\" or \"gemini\"."
  }
}

variable "judge" {
  type        = string
  default     = "none"
  description = "JUDGE: \"gemini\" has assessImage ask a Gemini model what each image shows (relevance, elements, artifacts, appropriateness, caption); \"none\" keeps pixel metrics only."
  validation {
    condition     = contains(["gemini", "none"], var.judge)
    error_message = "judge must be \"gemini\" or \"none\"."
  }
}

variable "judge_model" {
  type        = string
  default     = "gemini-2.5-flash"
  description = "JUDGE_MODEL."
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]*$", var.judge_model))
    error_message = "judge_model must be a model name such as gemini-2.5-flash."
  }
}

variable "judge_rate_limit_rpm" {
  type        = number
  default     = 60
  description = "JUDGE_RATE_LIMIT_RPM: judge calls per minute for the whole deployment, in a bucket of their own."
}

variable "gemini_auth" {
  type        = string
  default     = "vertex"
  description = "How generateImage authenticates to Gemini: \"vertex\" (its service account, no key) or \"api_key\"."
  validation {
    condition     = contains(["vertex", "api_key"], var.gemini_auth)
    error_message = "gemini_auth must be \"vertex\" or \"api_key\"."
  }
}

variable "vertex_location" {
  type        = string
  default     = "global"
  description = "GOOGLE_CLOUD_LOCATION for Vertex AI; global serves the image models with the most capacity."
}

variable "model" {
  type        = string
  default     = "gemini-2.5-flash-image"
  description = "GEMINI_MODEL."
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]*$", var.model))
    error_message = "model must be a model name such as gemini-2.5-flash-image."
  }
}

variable "rate_limit_rpm" {
  type        = number
  default     = 60
  description = "GEMINI_RATE_LIMIT_RPM: model calls per minute for the whole deployment. Keep it at or below your project's quota."
  validation {
    condition     = var.rate_limit_rpm >= 1 && var.rate_limit_rpm <= 100000 && floor(var.rate_limit_rpm) == var.rate_limit_rpm
    error_message = "rate_limit_rpm must be a whole number from 1 to 100000."
  }
}

variable "expected_call_seconds" {
  type        = number
  default     = 10
  description = "Typical duration of one image call; sizes generateImage's max instances (see functions.tf)."
  validation {
    condition     = var.expected_call_seconds > 0
    error_message = "expected_call_seconds must be positive."
  }
}

variable "gemini_timeout_seconds" {
  type        = number
  default     = 60
  description = "GEMINI_TIMEOUT_SECONDS: timeout of one model call."
  validation {
    condition     = var.gemini_timeout_seconds >= 5 && var.gemini_timeout_seconds <= 450 && floor(var.gemini_timeout_seconds) == var.gemini_timeout_seconds
    error_message = "gemini_timeout_seconds must be a whole number from 5 to 450 (it must fit in a lease that fits in the 540 s event-function limit)."
  }
}

variable "lease_seconds" {
  type        = number
  default     = 120
  description = "LEASE_SECONDS: a generator's claim on a prompt. With Gemini at least gemini_timeout_seconds + 30 (checked before apply)."
  validation {
    condition     = var.lease_seconds >= 5 && var.lease_seconds <= 480 && floor(var.lease_seconds) == var.lease_seconds
    error_message = "lease_seconds must be a whole number from 5 to 480: generateImage's timeout is lease_seconds + 60 and event functions stop at 540 s."
  }
}

variable "max_attempts" {
  type        = number
  default     = 5
  description = "MAX_ATTEMPTS: generation attempts before a prompt is marked failed."
  validation {
    condition     = var.max_attempts >= 1 && var.max_attempts <= 100 && floor(var.max_attempts) == var.max_attempts
    error_message = "max_attempts must be a whole number from 1 to 100."
  }
}

variable "default_image_quota" {
  type        = number
  default     = 100
  description = "DEFAULT_IMAGE_QUOTA: images a participant may generate unless their token says otherwise."
  validation {
    condition     = var.default_image_quota >= 0 && floor(var.default_image_quota) == var.default_image_quota
    error_message = "default_image_quota must be a whole number, 0 or more."
  }
}

variable "max_images_per_run" {
  type        = number
  default     = 100
  description = "MAX_IMAGES_PER_RUN: the largest count one run may ask for."
  validation {
    condition     = var.max_images_per_run >= 1 && var.max_images_per_run <= 500 && floor(var.max_images_per_run) == var.max_images_per_run
    error_message = "max_images_per_run must be a whole number from 1 to 500."
  }
}

variable "max_runs_in_flight" {
  type        = number
  default     = 2
  description = "MAX_RUNS_IN_FLIGHT: unfinished runs one participant may have at a time."
  validation {
    condition     = var.max_runs_in_flight >= 1 && floor(var.max_runs_in_flight) == var.max_runs_in_flight
    error_message = "max_runs_in_flight must be a whole number, 1 or more."
  }
}

variable "write_rate_limits" {
  type        = map(number)
  default     = { runs = 20, reviews = 120, participants = 60, previews = 30 }
  description = "WRITE_RATE_LIMITS: writes (and run previews) per minute one caller may make, by kind (runs, reviews, participants, previews); bursts of half a minute's worth."
  validation {
    condition     = alltrue([for kind, per_minute in var.write_rate_limits : contains(["runs", "reviews", "participants", "previews"], kind) && per_minute >= 1 && floor(per_minute) == per_minute])
    error_message = "write_rate_limits takes the kinds runs, reviews, participants and previews, each a whole number, 1 or more."
  }
}

variable "retention_days" {
  type        = number
  default     = 30
  description = "How long the workshop's data lives: images and previews are deleted this many days after they were written, runs and prompts this many days after the run was created (Firestore TTL on expireAt)."
  validation {
    condition     = var.retention_days >= 1 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number, 1 or more."
  }
}

variable "source_archive_path" {
  type        = string
  description = "The functions' source zip; scripts/ops/deploy.ts builds it and passes this in."
}

variable "source_archive_sha256" {
  type        = string
  description = "SHA-256 of the source zip; it names the uploaded object, so changed code redeploys."
  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.source_archive_sha256))
    error_message = "source_archive_sha256 must be a lowercase hex SHA-256."
  }
}

variable "reconcile_interval_minutes" {
  type        = number
  default     = 1
  description = "How often the reconciler runs (RECONCILE_INTERVAL_SECONDS); Cloud Scheduler's finest step is a minute."
  validation {
    condition     = var.reconcile_interval_minutes >= 1 && var.reconcile_interval_minutes <= 60 && floor(var.reconcile_interval_minutes) == var.reconcile_interval_minutes && 60 % var.reconcile_interval_minutes == 0
    error_message = "reconcile_interval_minutes must divide 60: 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60."
  }
}

variable "reconcile_stale_minutes" {
  type        = number
  default     = 10
  description = "RECONCILE_STALE_SECONDS in minutes: a prompt with no progress for this long is queued or assessed again."
  validation {
    condition     = var.reconcile_stale_minutes >= 1 && floor(var.reconcile_stale_minutes) == var.reconcile_stale_minutes
    error_message = "reconcile_stale_minutes must be a whole number, 1 or more."
  }
}

variable "generate_deadline_minutes" {
  type        = number
  default     = 90
  description = "GENERATE_DEADLINE_SECONDS in minutes: a prompt not generated this long after its run was created is failed as lost. Keep it above the cohort's images ÷ rate_limit_rpm."
  validation {
    condition     = var.generate_deadline_minutes >= 2 && floor(var.generate_deadline_minutes) == var.generate_deadline_minutes
    error_message = "generate_deadline_minutes must be a whole number, 2 or more (and more than reconcile_stale_minutes, checked before apply)."
  }
}

variable "assess_deadline_minutes" {
  type        = number
  default     = 30
  description = "ASSESS_DEADLINE_SECONDS in minutes: an image not assessed this long after it was stored fails its prompt as lost."
  validation {
    condition     = var.assess_deadline_minutes >= 2 && floor(var.assess_deadline_minutes) == var.assess_deadline_minutes
    error_message = "assess_deadline_minutes must be a whole number, 2 or more (and more than reconcile_stale_minutes, checked before apply)."
  }
}

variable "api_load_balancer" {
  type        = bool
  default     = false
  description = "Put the api behind an external HTTPS load balancer whose Cloud Armor policy refuses any request carrying Content-Encoding, and accept requests only through it (see docs/load-balancer.md for the cost and what it closes). Needs api_domain."
}

variable "api_domain" {
  type        = string
  default     = ""
  description = "With api_load_balancer: the domain for the api (its DNS A record must point at the output api_load_balancer_ip), for the Google-managed certificate."
  validation {
    condition     = var.api_domain == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.api_domain))
    error_message = "api_domain must be a lower-case domain name such as api.workshop.example.org."
  }
}
