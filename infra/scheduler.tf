# The reconciler's cadence: Cloud Scheduler POSTs to the reconcile function every
# reconcile_interval_minutes, with an OIDC token of its own account, the only one allowed to invoke it.
# A missed or failed tick is not retried: the next one does the same work.
resource "google_cloud_scheduler_job" "reconcile" {
  name             = "reconcile-runs"
  description      = "Re-queues, re-assesses or fails prompts that are stuck, and completes finished runs."
  region           = var.region
  schedule         = var.reconcile_interval_minutes == 1 ? "* * * * *" : "*/${var.reconcile_interval_minutes} * * * *"
  time_zone        = "Etc/UTC"
  attempt_deadline = "320s"

  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.reconcile.service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.reconcile.service_config[0].uri
    }
  }

  depends_on = [google_project_service.apis, google_cloud_run_v2_service_iam_member.scheduler_invokes_reconcile]
}
